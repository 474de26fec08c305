package dev.anyclaude.engine;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/**
 * The llama.cpp native library that ships inside the de.kherud:llama jar, extracted into a private
 * directory of ours and opened with the foreign function API.
 *
 * <p>Why not the jar's own loader: it deletes every {@code llama*} entry of the shared temporary
 * directory and loads from there (see docs/embedded.md). Here the library goes to {@code
 * <dir>/<sha-256 prefix>/}, created owner-only, written under a temporary name and moved into place, so
 * concurrent processes never see a half-written file and different library versions never collide.
 */
// Binding native code is what this class is for; the JVM runs with --enable-native-access.
@SuppressWarnings("restricted")
final class BundledLibrary {

    private BundledLibrary() {}

    /** Extracts (if needed) and opens the library for this OS and architecture. */
    static SymbolLookup load(Path dir) {
        String resource = resourceName();
        byte[] bytes;
        try (InputStream in = BundledLibrary.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("no bundled llama.cpp library for this platform: " + resource
                        + " is not on the class path (expected: de.kherud:llama 4.2.0)");
            }
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
        Path base = dir != null ? dir : defaultDir();
        Path target = base.resolve(sha256(bytes).substring(0, 16)).resolve(fileName(resource));
        try {
            extract(bytes, target);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract the llama.cpp library to " + target, e);
        }
        preferPassiveOpenMpThreads();
        try {
            return SymbolLookup.libraryLookup(target, Arena.global());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("cannot load " + target + ": " + e.getMessage()
                    + " (it needs libgomp.so.1, e.g. Debian/Ubuntu package libgomp1, libstdc++ and an AVX2 CPU)", e);
        }
    }

    /**
     * Sets {@code OMP_WAIT_POLICY=PASSIVE} for the OpenMP runtime the library brings (libgomp reads it
     * once, when it is loaded), unless the user set a policy. With the default policy idle OpenMP
     * threads spin; on a machine that also runs anything else a prefill then slows down several times
     * (docs/embedded.md has the measurement). Where there is no {@code setenv} (Windows) nothing changes.
     */
    private static void preferPassiveOpenMpThreads() {
        if (System.getenv("OMP_WAIT_POLICY") != null) {
            return;
        }
        Linker linker = Linker.nativeLinker();
        linker.defaultLookup().find("setenv").ifPresent(setenv -> {
            MethodHandle h = linker.downcallHandle(setenv, FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
            try (Arena arena = Arena.ofConfined()) {
                int rc = (int) h.invokeExact(arena.allocateFrom("OMP_WAIT_POLICY"), arena.allocateFrom("PASSIVE"), 0);
                if (rc != 0) {
                    LoggerFactory.getLogger(BundledLibrary.class).debug("setenv OMP_WAIT_POLICY failed: {}", rc);
                }
            } catch (Throwable t) {
                LoggerFactory.getLogger(BundledLibrary.class).debug("cannot set OMP_WAIT_POLICY", t);
            }
        });
    }

    /** {@code $XDG_CACHE_HOME/anyclaude/native}, else {@code ~/.cache/anyclaude/native}. */
    static Path defaultDir() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path cache = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return cache.resolve("anyclaude").resolve("native");
    }

    private static void extract(byte[] bytes, Path target) throws IOException {
        if (Files.isRegularFile(target) && Files.size(target) == bytes.length
                && sha256(Files.readAllBytes(target)).equals(sha256(bytes))) {
            return;
        }
        Path parent = target.getParent();
        createPrivateDirectories(parent);
        Path tmp = Files.createTempFile(parent, target.getFileName().toString(), ".part");
        try {
            Files.write(tmp, bytes);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    static void createPrivateDirectories(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            Path parent = dir.toAbsolutePath().getParent();
            if (parent != null) {
                createPrivateDirectories(parent);
            }
            try {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                // Another process created it first; fine.
            }
        } else {
            Files.createDirectories(dir);
        }
    }

    static String resourceName() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        String archDir = switch (arch) {
            case "amd64", "x86_64", "x64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            case "x86", "i386", "i486", "i586", "i686" -> "x86";
            default -> arch;
        };
        boolean android = System.getProperty("java.vm.vendor", "").toLowerCase(Locale.ROOT).contains("android");
        if (os.startsWith("linux")) {
            return "/de/kherud/llama/" + (android ? "Linux-Android" : "Linux") + "/" + archDir + "/libjllama.so";
        }
        if (os.startsWith("mac") || os.startsWith("darwin")) {
            return "/de/kherud/llama/Mac/" + archDir + "/libjllama.dylib";
        }
        if (os.startsWith("windows")) {
            return "/de/kherud/llama/Windows/" + archDir + "/jllama.dll";
        }
        throw new IllegalStateException("no bundled llama.cpp library for " + os + "/" + arch
                + " (expected: Linux, macOS or Windows)");
    }

    private static String fileName(String resource) {
        return resource.substring(resource.lastIndexOf('/') + 1);
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
