package io.cnnc.kernels.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kernel sources under the CUDA prelude: every kernel compiles to PTX with nvcc for sm_90
 * and the PTX assembles with ptxas (so register and shared-memory limits are checked too, not
 * just syntax). Needs no GPU; skipped, with the reason, where nvcc is absent.
 */
class CudaSourceTest {

    @TempDir
    Path dir;

    @Test
    void everyKernelIsInTheCudaProgram() {
        String cuda = GpuSource.program(Dialect.CUDA);
        assertThat(cuda).contains("#define KERNEL extern \"C\" __global__ void").doesNotContain("__kernel");
        assertThat(GpuSource.kernelNames()).contains("conv_direct", "conv_gemm", "gemm", "winograd_input", "winograd_output",
                "conv_depthwise", "maxpool", "avgpool", "adaptive_avgpool", "global_pool", "dense", "activation", "add", "mul",
                "channel_affine", "copy_into", "layernorm", "softmax_channels", "upsample_layer");
    }

    @Test
    void compilesToPtxAndAssemblesForSm90() throws Exception {
        Optional<Path> nvcc = tool("nvcc");
        Assumptions.assumeTrue(nvcc.isPresent(), "nvcc not found on the PATH or in /usr/local/cuda/bin: CUDA compilation not checked");
        Path ptxas = tool("ptxas").orElse(nvcc.get().resolveSibling("ptxas"));
        Files.writeString(dir.resolve("cnnc.cu"), GpuSource.program(Dialect.CUDA));
        run(nvcc.get().toString(), "-ptx", "-arch=sm_90", "-o", "cnnc.ptx", "cnnc.cu");
        String ptx = Files.readString(dir.resolve("cnnc.ptx"));
        for (String k : GpuSource.kernelNames()) assertThat(ptx).as("PTX entry for %s", k).contains(".entry " + k + "(");
        String report = run(ptxas.toString(), "-arch=sm_90", "-v", "-o", "cnnc.cubin", "cnnc.ptx");
        assertThat(dir.resolve("cnnc.cubin")).isNotEmptyFile();
        assertThat(report).doesNotContain("error");
    }

    @Test
    void theJavaFreeCheckScriptConcatenatesTheSameFilesInTheSameOrder() throws IOException {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isRegularFile(p.resolve("scripts/cuda-kernel-check.sh"))) p = p.getParent();
        assertThat(p).as("scripts/cuda-kernel-check.sh above the working directory").isNotNull();
        String line = Files.readAllLines(p.resolve("scripts/cuda-kernel-check.sh")).stream().filter(l -> l.startsWith("files=(")).findFirst().orElseThrow();
        List<String> files = List.of(line.substring("files=(".length(), line.indexOf(')')).split(" "));
        assertThat(files).containsExactlyElementsOf(GpuSource.FILES);
    }

    /**
     * The script has no Java to write the generated parts (the activations), so it reads them from
     * src/test/cuda/generated; they must be what GpuSource puts in the program. After a change to
     * GpuActivation, rewrite them with {@code mvn -B -o -q -pl kernels test -Dtest=CudaSourceTest
     * -Dgolden.update=true}.
     */
    @Test
    void theJavaFreeCheckScriptsGeneratedPartsAreCurrent() throws IOException {
        Path generated = Path.of("src/test/cuda/generated");
        for (var part : GpuSource.GENERATED.entrySet()) {
            Path file = generated.resolve(part.getKey() + ".h");
            String expected = part.getValue().get().stripTrailing() + "\n";
            if (Boolean.getBoolean("golden.update")) Files.writeString(file, expected);
            assertThat(file).as("%s, as GpuSource generates it (rewrite with -Dgolden.update=true)", file).hasContent(expected);
        }
        assertThat(generated.toFile().list()).as("files in %s", generated).hasSize(GpuSource.GENERATED.size());
    }

    private static Optional<Path> tool(String name) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, name))) return Optional.of(Path.of(d, name));
        }
        Path p = Path.of("/usr/local/cuda/bin", name);
        return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
    }

    private String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(command)).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).as("%s finished", command[0]).isTrue();
        assertThat(p.exitValue()).as("%s %s:%n%s", command[0], String.join(" ", command), out).isZero();
        return out;
    }
}
