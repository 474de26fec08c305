package dev.anyclaude.backend;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback HTTP server made of a bare {@link ServerSocket}, whose per-connection script writes whatever
 * bytes a test needs, well-formed or not. It counts the connections it accepted and records every request.
 */
final class RawHttpServer implements AutoCloseable {
    /** What the server does with one accepted connection. */
    interface Script {
        void run(Conversation c) throws Exception;
    }

    /** One accepted connection, as its script sees it. */
    final class Conversation {
        final Socket socket;
        final InputStream in;
        final OutputStream out;
        final int index;

        Conversation(Socket socket, int index) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
            this.index = index;
        }

        /** Reads one request (head and Content-Length body); null when the client closed the connection. */
        String request() throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int matched = 0;
            while (matched < 4) {
                int c = in.read();
                if (c < 0) {
                    return null;
                }
                head.write(c);
                matched = c == "\r\n\r\n".charAt(matched) ? matched + 1 : (c == '\r' ? 1 : 0);
            }
            String h = head.toString(StandardCharsets.ISO_8859_1);
            int length = 0;
            for (String line : h.split("\r\n")) {
                if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring(15).strip());
                }
            }
            String request = h + new String(in.readNBytes(length), StandardCharsets.UTF_8);
            requests.add(request);
            return request;
        }

        /** Writes {@code text} and flushes it, as its own TCP segment as far as the client can tell. */
        void write(String text) throws IOException {
            out.write(text.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        /** Writes {@code text} in pieces of {@code size} bytes with a short pause between, so reads must join them. */
        void trickle(String text, int size) throws IOException, InterruptedException {
            for (int i = 0; i < text.length(); i += size) {
                write(text.substring(i, Math.min(text.length(), i + size)));
                Thread.sleep(2);
            }
        }

        /** Blocks until the client closes the connection (or sends more), returning true on a close. */
        boolean awaitClientClose() throws IOException {
            return in.read() < 0;
        }
    }

    private final ServerSocket server;
    private final AtomicInteger accepted = new AtomicInteger();
    private final List<String> requests = Collections.synchronizedList(new ArrayList<>());
    private final List<Thread> threads = Collections.synchronizedList(new ArrayList<>());

    RawHttpServer(Script script) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.add(Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    int index = accepted.getAndIncrement();
                    threads.add(Thread.ofVirtual().start(() -> {
                        try (s) {
                            script.run(new Conversation(s, index));
                        } catch (Exception e) {
                            // the client went away mid-script: that is what some tests do
                        }
                    }));
                } catch (IOException e) {
                    return; // closed
                }
            }
        }));
    }

    /** Answers every request on every connection with {@code response}, keeping connections open. */
    static RawHttpServer answering(String response) throws IOException {
        return new RawHttpServer(c -> {
            while (c.request() != null) {
                c.write(response);
            }
        });
    }

    java.net.URI uri(String path) {
        return java.net.URI.create("http://127.0.0.1:" + server.getLocalPort() + path);
    }

    String hostPort() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    int accepted() {
        return accepted.get();
    }

    List<String> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        synchronized (threads) {
            threads.forEach(Thread::interrupt);
        }
    }
}
