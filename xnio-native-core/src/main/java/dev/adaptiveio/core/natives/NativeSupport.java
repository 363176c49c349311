package dev.adaptiveio.core.natives;

import java.io.IOException;
import java.util.Locale;

import dev.adaptiveio.core.log.CoreLogger;
import io.netty.channel.epoll.Epoll;

/**
 * Loads the native layer and says, in words, why it cannot be used when it cannot.
 */
public final class NativeSupport {

    private NativeSupport() {
    }

    /**
     * Whether this OS and architecture can run any of our native engines: Linux on x86_64, the only
     * architecture whose native libraries the jars ship (elsewhere ADAPTIVEIO0010 says so, rather
     * than a library load failure later).
     */
    public static boolean isSupportedPlatform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        return os.startsWith("linux") && (arch.equals("amd64") || arch.equals("x86_64"));
    }

    /**
     * Makes sure the epoll native layer is loaded.
     *
     * @throws IOException naming the reason when it is not usable here
     */
    public static void ensureEpoll() throws IOException {
        ensurePlatform("epoll");
        Throwable cause;
        try {
            if (Epoll.isAvailable()) {
                return;
            }
            cause = Epoll.unavailabilityCause();
        } catch (LinkageError e) {
            cause = e;
        }
        IOException failure = CoreLogger.LOG.nativeLibraryUnavailable("epoll", String.valueOf(cause));
        failure.initCause(cause);
        throw failure;
    }

    /** Throws when the platform cannot run native engines at all. */
    public static void ensurePlatform(String engine) throws IOException {
        if (!isSupportedPlatform()) {
            throw CoreLogger.LOG.unsupportedPlatform(engine, System.getProperty("os.name"), System.getProperty("os.arch"));
        }
    }
}
