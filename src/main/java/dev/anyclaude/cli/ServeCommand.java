package dev.anyclaude.cli;

import dev.anyclaude.gateway.Gateway;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code anyclaude serve}: runs the gateway until interrupted. */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = "Serve the Anthropic Messages API from a local model.%n"
                + "Every option can also come from the environment (ANYCLAUDE_<OPTION>, e.g. ANYCLAUDE_UPSTREAM) "
                + "or a YAML config file (key = option name); precedence: flags > environment > file > defaults.")
public final class ServeCommand implements Callable<Integer> {
    @Mixin
    ServeOptions options = new ServeOptions();

    @Override
    public Integer call() throws InterruptedException {
        Gateway gateway = Gateway.start(options.settings());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            gateway.close();
                            stopped.countDown();
                        },
                        "anyclaude-shutdown"));
        System.out.println("anyclaude listening on " + gateway.url());
        System.err.println("anyclaude dashboard: " + gateway.url() + "/dashboard"
                + (options.apiKey != null || options.apiKeyFile != null ? "?key=YOUR_KEY" : ""));
        System.out.flush();
        stopped.await();
        return 0;
    }
}
