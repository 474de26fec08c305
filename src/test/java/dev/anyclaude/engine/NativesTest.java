package dev.anyclaude.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the engine's natives come from: the npm package for a platform, unpacked safely, and its options. */
class NativesTest {

    @Test
    void picksTheNpmPackageForEachPlatformAndAccelerator() {
        assertThat(NpmNatives.platform(Accelerator.NONE, "Linux", "amd64", true))
                .isEqualTo("linux-x64");
        assertThat(NpmNatives.platform(Accelerator.AUTO, "Linux", "amd64", false))
                .isEqualTo("linux-x64");
        assertThat(NpmNatives.platform(Accelerator.AUTO, "Linux", "amd64", true))
                .isEqualTo("linux-x64-cuda");
        assertThat(NpmNatives.platform(Accelerator.CUDA, "Linux", "amd64", true))
                .isEqualTo("linux-x64-cuda");
        assertThat(NpmNatives.platform(Accelerator.VULKAN, "Windows 11", "amd64", false))
                .isEqualTo("win-x64-vulkan");
        assertThat(NpmNatives.platform(Accelerator.AUTO, "Linux", "aarch64", false))
                .isEqualTo("linux-arm64");
        assertThat(NpmNatives.platform(Accelerator.AUTO, "Mac OS X", "aarch64", false))
                .isEqualTo("mac-arm64-metal");
        assertThat(NpmNatives.platform(Accelerator.METAL, "Mac OS X", "aarch64", false))
                .isEqualTo("mac-arm64-metal");
        assertThat(NpmNatives.platform(Accelerator.AUTO, "Mac OS X", "x86_64", false))
                .isEqualTo("mac-x64");
    }

    @Test
    void refusesAnAcceleratorThePlatformCannotHaveBeforeDownloadingAnything() {
        assertThatThrownBy(() -> NpmNatives.platform(Accelerator.CUDA, "Linux", "amd64", false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--gpu cuda: this machine has no NVIDIA driver")
                .hasMessageContaining("--gpu none");
        assertThatThrownBy(() -> NpmNatives.platform(Accelerator.METAL, "Linux", "amd64", false))
                .hasMessageContaining("--gpu metal: Metal needs a Mac with Apple silicon (this is linux-x64)");
        assertThatThrownBy(() -> NpmNatives.platform(Accelerator.CUDA, "Mac OS X", "aarch64", false))
                .hasMessageContaining("--gpu cuda: CUDA packages exist for Linux and Windows on x64");
        assertThatThrownBy(() -> NpmNatives.platform(Accelerator.NONE, "Linux", "riscv64", false))
                .hasMessageContaining("riscv64 (expected: x64 or arm64)");
    }

    @Test
    void namesEveryAcceptedValueOfTheOptions() {
        assertThatThrownBy(() -> Accelerator.parse("rocm"))
                .hasMessage("--gpu: 'rocm' (expected one of: auto, cuda, vulkan, metal, none)");
        assertThatThrownBy(() -> NativeOptions.FlashAttention.parse("yes"))
                .hasMessage("--flash-attn: 'yes' (expected one of: auto, off, on)");
        assertThatThrownBy(() -> NativeOptions.KvType.parse("q5_1"))
                .hasMessage("--kv-type: 'q5_1' (expected one of: f16, q8_0, q4_0)");
        assertThatThrownBy(() -> NativeOptions.parseGpuLayers("-2"))
                .hasMessage("--gpu-layers: '-2' (expected: a count of 0 or more, or all)");
        assertThat(NativeOptions.parseGpuLayers("all")).isEqualTo(-1);
        assertThat(NativeOptions.parseGpuLayers("12")).isEqualTo(12);
        assertThatThrownBy(() -> new NativeOptions(
                        null, Accelerator.NONE, -1, NativeOptions.FlashAttention.OFF, NativeOptions.KvType.Q8_0))
                .hasMessageContaining("--kv-type q8_0 needs flash attention");
    }

    @Test
    void unpacksOnlyThePlatformsFilesAndReturnsTheArchivesIntegrity(@TempDir Path dir) throws Exception {
        Path tgz = dir.resolve("p.tgz");
        try (OutputStream file = Files.newOutputStream(tgz);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(file))) {
            add(tar, "package/package.json", "{}");
            add(tar, "package/bins/linux-x64/libllama.v0.5.0.so", "ELF-llama");
            add(tar, "package/bins/linux-x64/../../../escape.so", "outside");
            add(tar, "package/bins/linux-x64/sub/nested.so", "nested");
            add(tar, "package/bins/linux-arm64/libllama.v0.5.0.so", "other platform");
        }
        Path out = dir.resolve("out");
        String integrity = NpmNatives.unpack(tgz, "package/bins/linux-x64/", out);

        String expected = "sha512-"
                + Base64.getEncoder()
                        .encodeToString(MessageDigest.getInstance("SHA-512").digest(Files.readAllBytes(tgz)));
        assertThat(integrity).isEqualTo(expected);
        try (var files = Files.list(out)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("libllama.v0.5.0.so");
        }
        assertThat(Files.readString(out.resolve("libllama.v0.5.0.so"))).isEqualTo("ELF-llama");
        assertThat(dir.resolve("escape.so")).doesNotExist();
    }

    @Test
    void theFetchedPackageIsCompleteAndUsedFromTheCache() {
        Path dir = NpmNatives.ensure(NpmNatives.platform(Accelerator.NONE), NpmNatives.cacheRoot());
        assertThat(dir.resolve(NpmNatives.MARKER)).isRegularFile();
        assertThat(dir.resolve(NpmNatives.MARKER))
                .content(StandardCharsets.UTF_8)
                .startsWith("sha512-");
        assertThat(NpmNatives.ensure(NpmNatives.platform(Accelerator.NONE), NpmNatives.cacheRoot()))
                .isEqualTo(dir);
    }

    @Test
    void theLoadedLibraryIsThePinnedReleaseAndSaysWhatRunsIt() {
        NativeModel m = TestModels.nativeTiny();
        assertThat(m.libraryVersion()).startsWith("0.5.0");
        NativeLibrary lib = m.library();
        assertThat(lib.devices()).anySatisfy(d -> assertThat(d.name()).isEqualTo("CPU"));
        assertThat(m.engineLine()).startsWith("llama.cpp v0.5.0 (de3ff81, 0.5.0");
        if (lib.source().startsWith("npm ")) {
            assertThat(lib.variant())
                    .as("ggml's loader picks a CPU variant of the package")
                    .startsWith("libggml-cpu-");
        }
    }

    private static void add(TarArchiveOutputStream tar, String name, String content) throws IOException {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry e = new TarArchiveEntry(name, true);
        e.setSize(bytes.length);
        tar.putArchiveEntry(e);
        tar.write(bytes);
        tar.closeArchiveEntry();
    }
}
