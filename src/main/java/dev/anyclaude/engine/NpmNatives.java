package dev.anyclaude.engine;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The prebuilt llama.cpp libraries of the pinned release, as npm publishes them in {@code
 * @node-llama-cpp/<platform>}: fetched once with the user's {@code npm}, checked against the
 * registry's integrity hash, unpacked into {@code ${XDG_CACHE_HOME:-~/.cache}/anyclaude/llama.cpp/
 * v0.5.0/<platform>/} and used offline from then on.
 *
 * <p>A directory is complete only when its {@value #MARKER} file exists: the files are unpacked into a
 * private temporary directory beside it and moved into place in one rename, so a process that is
 * killed half-way, or two processes fetching at once, never leave a half-written library behind.
 */
public final class NpmNatives {

    /** The llama.cpp release the binding is written for. */
    public static final String RELEASE = "v0.5.0";
    /** Its commit upstream (ggml-org/llama.cpp). */
    public static final String COMMIT = "de3ff81";
    /** The version of the npm packages that carry that release. */
    public static final String NPM_VERSION = "3.22.1";

    static final String MARKER = "integrity";
    private static final Logger LOG = LoggerFactory.getLogger(NpmNatives.class);
    private static final Duration NPM_TIMEOUT = Duration.ofMinutes(10);

    private NpmNatives() {}

    /** {@code ${XDG_CACHE_HOME:-~/.cache}/anyclaude}. */
    static Path userCache() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path cache = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return cache.resolve("anyclaude");
    }

    /** {@code ${XDG_CACHE_HOME:-~/.cache}/anyclaude/llama.cpp/v0.5.0}. */
    public static Path cacheRoot() {
        return userCache().resolve("llama.cpp").resolve(RELEASE);
    }

    /**
     * The npm platform package for this machine and accelerator, e.g. {@code linux-x64} or {@code
     * linux-x64-cuda}.
     *
     * @throws IllegalArgumentException when the accelerator cannot exist on this platform, or (CUDA) the
     *     machine has no NVIDIA driver: said before anything is downloaded
     */
    public static String platform(Accelerator gpu) {
        return platform(gpu, System.getProperty("os.name"), System.getProperty("os.arch"), hasNvidiaDriver());
    }

    static String platform(Accelerator gpu, String osName, String osArch, boolean nvidiaDriver) {
        String os = osName.toLowerCase(Locale.ROOT);
        String arch = switch (osArch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64", "x64" -> "x64";
            case "aarch64", "arm64" -> "arm64";
            default ->
                throw new IllegalArgumentException(
                        "no llama.cpp package for the CPU architecture " + osArch + " (expected: x64 or arm64)");
        };
        String base;
        if (os.startsWith("linux")) {
            base = "linux-" + arch;
        } else if (os.startsWith("mac") || os.startsWith("darwin")) {
            base = "mac-" + arch;
        } else if (os.startsWith("windows")) {
            base = "win-" + arch;
        } else {
            throw new IllegalArgumentException(
                    "no llama.cpp package for " + osName + " (expected: Linux, macOS or Windows)");
        }
        boolean mac = base.startsWith("mac-");
        boolean x64 = arch.equals("x64");
        return switch (gpu) {
            case NONE -> mac && !x64 ? "mac-arm64-metal" : base;
            case AUTO -> mac && !x64 ? "mac-arm64-metal" : x64 && !mac && nvidiaDriver ? base + "-cuda" : base;
            case METAL -> {
                require(mac && !x64, "--gpu metal: Metal needs a Mac with Apple silicon (this is " + base + ")");
                yield "mac-arm64-metal";
            }
            case CUDA -> {
                require(
                        x64 && !mac,
                        "--gpu cuda: CUDA packages exist for Linux and Windows on x64 (this is " + base + ")");
                require(
                        nvidiaDriver,
                        "--gpu cuda: this machine has no NVIDIA driver ("
                                + (base.startsWith("linux")
                                        ? "/proc/driver/nvidia/version is missing"
                                        : "nvcuda.dll not found")
                                + "); use --gpu none, or auto to fall back to the CPU");
                yield base + "-cuda";
            }
            case VULKAN -> {
                require(
                        x64 && !mac,
                        "--gpu vulkan: Vulkan packages exist for Linux and Windows on x64 (this is " + base + ")");
                yield base + "-vulkan";
            }
        };
    }

    private static boolean hasNvidiaDriver() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        if (os.startsWith("linux")) {
            return Files.isReadable(Path.of("/proc/driver/nvidia/version"));
        }
        if (os.startsWith("windows")) {
            String root = System.getenv().getOrDefault("SystemRoot", "C:\\Windows");
            return Files.exists(Path.of(root, "System32", "nvcuda.dll"));
        }
        return false;
    }

    /**
     * The directory holding the package's libraries, fetching it first when it is not in the cache.
     *
     * @throws IllegalStateException when npm is missing, fails, or the download does not match the
     *     registry's integrity hash; the message says what to do
     */
    public static Path ensure(String platform, Path cacheRoot) {
        return ensure(platform, NPM_VERSION, cacheRoot);
    }

    /** {@link #ensure(String, Path)} for another version of the packages (tests of the version check). */
    static synchronized Path ensure(String platform, String npmVersion, Path cacheRoot) {
        Path dir = cacheRoot.resolve(platform);
        if (Files.isRegularFile(dir.resolve(MARKER))) {
            return dir;
        }
        String pkg = "@node-llama-cpp/" + platform + "@" + npmVersion;
        LOG.info("fetching the llama.cpp {} libraries for {} from npm ({}), once", RELEASE, platform, pkg);
        try {
            createPrivateDirectories(cacheRoot);
            Path work = Files.createTempDirectory(cacheRoot, "." + platform + "-");
            try {
                String expected = npm(work, "view", pkg, "dist.integrity").strip();
                if (!expected.startsWith("sha512-")) {
                    throw new IllegalStateException(
                            "npm view " + pkg + " dist.integrity answered '" + expected + "' (expected: sha512-…)");
                }
                npm(work, "pack", pkg, "--pack-destination", work.toString());
                Path tgz;
                try (Stream<Path> s = Files.list(work)) {
                    tgz = s.filter(p -> p.getFileName().toString().endsWith(".tgz"))
                            .findFirst()
                            .orElseThrow(
                                    () -> new IllegalStateException("npm pack " + pkg + " wrote no .tgz into " + work));
                }
                Path unpacked = work.resolve("bins");
                String actual = unpack(tgz, "package/bins/" + platform + "/", unpacked);
                if (!actual.equals(expected)) {
                    throw new IllegalStateException("the download of " + pkg + " does not match the registry: " + actual
                            + " (expected: " + expected + ")");
                }
                Files.writeString(unpacked.resolve(MARKER), expected + "\n");
                try {
                    Files.move(unpacked, dir, StandardCopyOption.ATOMIC_MOVE);
                } catch (java.nio.file.FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException raced) {
                    if (!Files.isRegularFile(dir.resolve(MARKER))) {
                        throw new IllegalStateException(dir + " exists but is incomplete; delete it and retry", raced);
                    }
                }
                LOG.info("llama.cpp {} libraries for {} are in {}", RELEASE, platform, dir);
                return dir;
            } finally {
                deleteTree(work);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot fetch " + pkg + " into " + dir, e);
        }
    }

    /**
     * Unpacks the regular files under {@code prefix} of a gzip tar into {@code target} (flat: names only,
     * nothing outside {@code target} can be written) and returns the archive's npm integrity string.
     */
    static String unpack(Path tgz, String prefix, Path target) throws IOException {
        MessageDigest sha512 = sha512();
        Files.createDirectories(target);
        int files = 0;
        try (InputStream raw = new DigestInputStream(new BufferedInputStream(Files.newInputStream(tgz)), sha512);
                TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(raw))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                String name = e.getName();
                if (!e.isFile() || !name.startsWith(prefix)) {
                    continue;
                }
                String file = name.substring(prefix.length());
                if (file.isEmpty() || file.contains("/") || file.contains("\\") || file.equals("..")) {
                    continue;
                }
                Files.copy(tar, target.resolve(file), StandardCopyOption.REPLACE_EXISTING);
                files++;
            }
            raw.transferTo(java.io.OutputStream.nullOutputStream()); // the digest covers the whole file
        }
        if (files == 0) {
            throw new IllegalStateException(tgz.getFileName() + " holds no files under " + prefix);
        }
        return "sha512-" + Base64.getEncoder().encodeToString(sha512.digest());
    }

    private static String npm(Path cwd, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        boolean windows = System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("windows");
        cmd.add(windows ? "npm.cmd" : "npm");
        cmd.addAll(List.of(args));
        Path log = cwd.resolve("npm.log");
        Process p;
        try {
            p = new ProcessBuilder(cmd)
                    .directory(cwd.toFile())
                    .redirectErrorStream(false)
                    .redirectError(log.toFile())
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException(
                    "cannot run npm (" + e.getMessage() + "): the embedded engine fetches llama.cpp " + RELEASE
                            + " from npm once; install Node.js/npm, or pass --llama-lib DIR "
                            + "with a libllama of that release",
                    e);
        }
        p.getOutputStream().close();
        byte[] out;
        try (InputStream in = p.getInputStream()) {
            out = in.readAllBytes();
        }
        try {
            if (!p.waitFor(NPM_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(
                        "npm " + String.join(" ", args) + " did not finish in " + NPM_TIMEOUT.toMinutes() + " minutes");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running npm", e);
        }
        if (p.exitValue() != 0) {
            String err = Files.exists(log) ? Files.readString(log).strip() : "";
            throw new IllegalStateException("npm " + String.join(" ", args) + " failed (exit " + p.exitValue() + "): "
                    + (err.length() > 600 ? err.substring(err.length() - 600) : err));
        }
        return new String(out, StandardCharsets.UTF_8);
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
                Files.createDirectory(
                        dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                // Another process created it first; fine.
            }
        } else {
            Files.createDirectories(dir);
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // A leftover temporary file is harmless; the next fetch uses a new name.
                }
            });
        } catch (IOException ignored) {
            // Same as above.
        }
    }

    private static MessageDigest sha512() {
        try {
            return MessageDigest.getInstance("SHA-512");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
