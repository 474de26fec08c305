package dev.anyclaude.observe;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.Map;

/**
 * The gateway's logging set-up, in code rather than logback.xml: parsing the XML configuration was a fifth
 * of start-up CPU. Logs go to standard error (standard output belongs to the command's own output, such as
 * the "listening" line); the root level comes from {@code ANYCLAUDE_LOG_LEVEL} (default INFO); noisy
 * libraries are held at WARN. Found by logback through {@code META-INF/services}.
 */
public final class LogSetup extends ContextAwareBase implements Configurator {
    private static final Map<String, Level> QUIET = Map.of(
            "org.eclipse.jetty",
            Level.WARN,
            "io.javalin",
            Level.WARN,
            "io.lettuce",
            Level.WARN,
            "io.netty",
            Level.WARN,
            "reactor",
            Level.WARN);

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%d{HH:mm:ss.SSS} %-5level %logger{0} - %msg%n");
        encoder.start();
        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName("STDERR");
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder);
        stderr.start();
        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(System.getenv().getOrDefault("ANYCLAUDE_LOG_LEVEL", "INFO"), Level.INFO));
        root.addAppender(stderr);
        QUIET.forEach((name, level) -> context.getLogger(name).setLevel(level));
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
