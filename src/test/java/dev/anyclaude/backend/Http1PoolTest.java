package dev.anyclaude.backend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.anyclaude.time.Clock;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The idle-connection pool's reuse order, bound and idle eviction, on a clock the test moves. */
class Http1PoolTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final Http1Pool pool =
            new Http1Pool(2, Duration.ofSeconds(30), Clock.of(now::get, InstantSource.fixed(Instant.EPOCH)));
    private final List<Socket> sockets = new ArrayList<>();
    private ServerSocket server;

    @AfterEach
    void stop() throws IOException {
        pool.close();
        for (Socket s : sockets) {
            s.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private Http1Connection connection(String key) throws IOException {
        if (server == null) {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        }
        Socket s = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
        sockets.add(server.accept());
        return new Http1Connection(key, s);
    }

    @Test
    void handsOutTheMostRecentlyReturnedConnectionForItsHostOnly() throws Exception {
        Http1Connection older = connection("a:1");
        Http1Connection newer = connection("a:1");
        pool.give(older);
        pool.give(newer);

        assertThat(pool.take("b:1")).isNull();
        assertThat(pool.take("a:1")).isSameAs(newer);
        assertThat(pool.take("a:1")).isSameAs(older);
        assertThat(pool.take("a:1")).isNull();
    }

    @Test
    void closesTheOldestConnectionBeyondTheBound() throws Exception {
        Http1Connection first = connection("a:1");
        pool.give(first);
        pool.give(connection("a:1"));
        pool.give(connection("a:1"));

        assertThat(first.isClosed()).isTrue();
        assertThat(pool.idleCount("a:1")).isEqualTo(2);
    }

    @Test
    void aConnectionIdleForLongerThanTheLimitIsClosedInsteadOfReused() throws Exception {
        Http1Connection stale = connection("a:1");
        pool.give(stale);
        now.addAndGet(Duration.ofSeconds(20).toNanos());
        Http1Connection fresh = connection("a:1");
        pool.give(fresh);
        now.addAndGet(Duration.ofSeconds(11).toNanos());

        assertThat(pool.take("a:1")).isSameAs(fresh);
        assertThat(stale.isClosed()).as("evicted on the way").isTrue();
        assertThat(pool.idleCount("a:1")).isZero();

        pool.give(fresh);
        now.addAndGet(Duration.ofSeconds(31).toNanos());
        assertThat(pool.take("a:1")).isNull();
        assertThat(fresh.isClosed()).isTrue();
    }

    @Test
    void aClosedPoolClosesWhatItHoldsAndWhatIsReturnedLater() throws Exception {
        Http1Connection held = connection("a:1");
        Http1Connection late = connection("a:1");
        pool.give(held);

        pool.close();
        pool.give(late);

        assertThat(held.isClosed()).isTrue();
        assertThat(late.isClosed()).isTrue();
    }
}
