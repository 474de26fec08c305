package dev.anyclaude.engine;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;

/**
 * libllama and libggml of one directory, opened with the foreign function API, with ggml's backends
 * loaded: from the npm package of the pinned release ({@link NpmNatives}) or from a directory the user
 * names ({@code --llama-lib}).
 *
 * @param dir where the libraries are
 * @param llama symbols of libllama
 * @param source {@code npm @node-llama-cpp/linux-x64@3.22.1} or {@code --llama-lib DIR}
 * @param devices the ggml devices found, e.g. {@code CPU (AMD EPYC)}
 * @param variant what ggml loaded for this machine, e.g. {@code libggml-cpu-zen4}; empty when the
 *     library has its backends built in
 */
public record NativeLibrary(Path dir, SymbolLookup llama, String source, List<Device> devices, String variant) {

    /** One ggml device: its name (CPU, CUDA0, Vulkan0, Metal), description and whether it is a GPU. */
    public record Device(String name, String description, boolean gpu) {
        @Override
        public String toString() {
            return name + " (" + description + ")";
        }
    }

    /**
     * Opens the libraries: those in {@code llamaLib} when it is not null, else the npm package for this
     * machine and {@code gpu} (fetched on first use). {@code beforeBackends} runs on libllama before
     * ggml loads its backends (to route their log); {@code loadedVariant} then says what ggml loaded.
     * Refuses, with a message, an accelerator that did not come up.
     */
    static NativeLibrary open(
            Path llamaLib, Accelerator gpu, Consumer<SymbolLookup> beforeBackends, Supplier<String> loadedVariant) {
        Path dir;
        String source;
        if (llamaLib != null) {
            if (!Files.isDirectory(llamaLib)) {
                throw new IllegalArgumentException(
                        "--llama-lib: " + llamaLib + " is not a directory (expected: the directory"
                                + " holding libllama and libggml of llama.cpp " + NpmNatives.RELEASE + ")");
            }
            dir = llamaLib.toAbsolutePath();
            source = "--llama-lib " + dir;
        } else {
            String platform = NpmNatives.platform(gpu);
            dir = NpmNatives.ensure(platform, NpmNatives.cacheRoot());
            source = "npm @node-llama-cpp/" + platform + "@" + NpmNatives.NPM_VERSION;
        }
        preferPassiveOpenMpThreads();
        Path llamaFile = find(
                dir,
                n -> n.startsWith("libllama") && !n.startsWith("libllama-common")
                        || n.startsWith("llama") && n.endsWith(".dll"),
                "libllama");
        Optional<Path> ggmlFile = findOptional(dir, n -> (n.startsWith("libggml.") || n.equals("ggml.dll")));
        SymbolLookup llama = open(llamaFile);
        beforeBackends.accept(llama);
        List<Device> devices = new ArrayList<>();
        if (ggmlFile.isPresent()) {
            SymbolLookup ggml = open(ggmlFile.get());
            ggml.find("ggml_backend_load_all_from_path").ifPresent(f -> call(f, dir));
            devices = devices(ggml);
        }
        NativeLibrary lib = new NativeLibrary(dir, llama, source, List.copyOf(devices), loadedVariant.get());
        lib.checkAccelerator(gpu);
        return lib;
    }

    /** The first device that is a GPU, if any. */
    public Optional<Device> gpu() {
        return devices.stream().filter(Device::gpu).findFirst();
    }

    private void checkAccelerator(Accelerator gpu) {
        String wanted = switch (gpu) {
            case CUDA -> "CUDA";
            case VULKAN -> "Vulkan";
            case METAL -> "Metal";
            default -> null;
        };
        if (wanted != null
                && devices.stream()
                        .noneMatch(d -> d.gpu()
                                && d.name().toLowerCase(Locale.ROOT).startsWith(wanted.toLowerCase(Locale.ROOT)))) {
            throw new IllegalStateException("--gpu " + gpu.flag() + ": llama.cpp found no " + wanted
                    + " device (found: " + (devices.isEmpty() ? "none" : devices) + "; libraries from " + source + ")");
        }
        if (devices.isEmpty()) {
            throw new IllegalStateException("llama.cpp loaded no compute backend from " + dir
                    + " (expected a libggml-cpu-*.so beside libllama)");
        }
    }

    private static List<Device> devices(SymbolLookup ggml) {
        Linker linker = Linker.nativeLinker();
        Optional<MemorySegment> count = ggml.find("ggml_backend_dev_count");
        Optional<MemorySegment> get = ggml.find("ggml_backend_dev_get");
        Optional<MemorySegment> name = ggml.find("ggml_backend_dev_name");
        Optional<MemorySegment> desc = ggml.find("ggml_backend_dev_description");
        Optional<MemorySegment> type = ggml.find("ggml_backend_dev_type");
        if (count.isEmpty() || get.isEmpty() || name.isEmpty() || desc.isEmpty() || type.isEmpty()) {
            return List.of();
        }
        MethodHandle hCount = linker.downcallHandle(count.get(), FunctionDescriptor.of(JAVA_LONG));
        MethodHandle hGet = linker.downcallHandle(get.get(), FunctionDescriptor.of(ADDRESS, JAVA_LONG));
        MethodHandle hName = linker.downcallHandle(name.get(), FunctionDescriptor.of(ADDRESS, ADDRESS));
        MethodHandle hDesc = linker.downcallHandle(desc.get(), FunctionDescriptor.of(ADDRESS, ADDRESS));
        MethodHandle hType = linker.downcallHandle(type.get(), FunctionDescriptor.of(JAVA_INT, ADDRESS));
        List<Device> out = new ArrayList<>();
        try {
            long n = (long) hCount.invokeExact();
            for (long i = 0; i < n; i++) {
                MemorySegment dev = (MemorySegment) hGet.invokeExact(i);
                String devName = string((MemorySegment) hName.invokeExact(dev));
                String devDesc = string((MemorySegment) hDesc.invokeExact(dev));
                int devType = (int) hType.invokeExact(dev);
                out.add(new Device(devName, devDesc, devType == 1 || devType == 2)); // GPU, IGPU
            }
        } catch (Throwable t) {
            throw new IllegalStateException("cannot list ggml devices: " + t.getMessage(), t);
        }
        return out;
    }

    private static String string(MemorySegment s) {
        return s.equals(MemorySegment.NULL) ? "" : s.reinterpret(4096).getString(0);
    }

    private static void call(MemorySegment loadAllFromPath, Path dir) {
        MethodHandle h = Linker.nativeLinker().downcallHandle(loadAllFromPath, FunctionDescriptor.ofVoid(ADDRESS));
        try (Arena arena = Arena.ofConfined()) {
            h.invokeExact(arena.allocateFrom(dir.toString()));
        } catch (Throwable t) {
            throw new IllegalStateException("ggml could not load its backends from " + dir + ": " + t.getMessage(), t);
        }
    }

    private static SymbolLookup open(Path file) {
        try {
            return SymbolLookup.libraryLookup(file, Arena.global());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(
                    "cannot load " + file + ": " + e.getMessage()
                            + " (it needs libstdc++ and the libggml* files beside it)",
                    e);
        }
    }

    private static Path find(Path dir, Predicate<String> name, String what) {
        return findOptional(dir, name)
                .orElseThrow(() -> new IllegalArgumentException("no " + what + " in " + dir
                        + " (expected: the shared libraries of llama.cpp " + NpmNatives.RELEASE + ")"));
    }

    private static Optional<Path> findOptional(Path dir, Predicate<String> name) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> {
                        String n = p.getFileName().toString();
                        return name.test(n) && (n.contains(".so") || n.endsWith(".dylib") || n.endsWith(".dll"));
                    })
                    .sorted()
                    .findFirst();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    /**
     * Sets {@code OMP_WAIT_POLICY=PASSIVE} for an OpenMP runtime the library may bring (a user's own
     * build; the npm packages use ggml's thread pool), unless the user set a policy: with the default
     * policy idle OpenMP threads spin, and a prefill on a busy machine slows down several times.
     */
    private static void preferPassiveOpenMpThreads() {
        if (System.getenv("OMP_WAIT_POLICY") != null) {
            return;
        }
        Linker linker = Linker.nativeLinker();
        linker.defaultLookup().find("setenv").ifPresent(setenv -> {
            try (Arena arena = Arena.ofConfined()) {
                MethodHandle h =
                        linker.downcallHandle(setenv, FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
                int rc = (int) h.invokeExact(arena.allocateFrom("OMP_WAIT_POLICY"), arena.allocateFrom("PASSIVE"), 0);
                if (rc != 0) {
                    LoggerFactory.getLogger(NativeLibrary.class).debug("setenv OMP_WAIT_POLICY failed: {}", rc);
                }
            } catch (Throwable t) {
                LoggerFactory.getLogger(NativeLibrary.class).debug("cannot set OMP_WAIT_POLICY", t);
            }
        });
    }
}
