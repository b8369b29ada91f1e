package io.cnnc.runtime.gpu.cuda;

import io.cnnc.runtime.gpu.JvmSignalHandlers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import jcuda.nvrtc.JNvrtc;
import jcuda.nvrtc.nvrtcProgram;

/**
 * CUDA C to PTX: with nvcc when one is installed ({@code $CNNC_NVCC}, then nvcc on the PATH, then
 * /usr/local/cuda/bin/nvcc), else NVRTC through JCuda at run time (needs libnvrtc from a CUDA
 * toolkit or the nvidia-cuda-nvrtc package).
 */
public final class CudaCompiler {

    private CudaCompiler() {}

    /** {@code arch} like {@code sm_90}. */
    public static String ptx(String source, String arch) {
        Optional<Path> nvcc = nvcc();
        return nvcc.isPresent() ? withNvcc(nvcc.get(), source, arch) : withNvrtc(source, arch);
    }

    public static Optional<Path> nvcc() {
        String env = System.getenv("CNNC_NVCC");
        if (env != null && !env.isBlank()) return Optional.of(Path.of(env));
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (dir.isEmpty()) continue;
            Path p = Path.of(dir, "nvcc");
            if (Files.isExecutable(p)) return Optional.of(p);
        }
        Path p = Path.of("/usr/local/cuda/bin/nvcc");
        return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
    }

    /** Runs {@code tool args...} in {@code dir}; its output in the exception when it fails. */
    static void exec(Path dir, List<String> command) {
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish in 300 s");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed (exit " + p.exitValue() + "):\n"
                        + new String(out, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not run " + command.getFirst(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command.getFirst(), e);
        }
    }

    private static String withNvcc(Path nvcc, String source, String arch) {
        try {
            Path dir = Files.createTempDirectory("cnnc-nvcc");
            try {
                Files.writeString(dir.resolve("cnnc.cu"), source);
                exec(dir, List.of(nvcc.toString(), "-ptx", "-arch=" + arch, "-o", "cnnc.ptx", "cnnc.cu"));
                return Files.readString(dir.resolve("cnnc.ptx"));
            } finally {
                try (var files = Files.list(dir)) {
                    for (Path f : files.toList()) Files.deleteIfExists(f);
                }
                Files.deleteIfExists(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String withNvrtc(String source, String arch) {
        JvmSignalHandlers.remember();
        try {
            JNvrtc.setExceptionsEnabled(true);
            nvrtcProgram program = new nvrtcProgram();
            JNvrtc.nvrtcCreateProgram(program, source, "cnnc.cu", 0, null, null);
            try {
                JNvrtc.nvrtcCompileProgram(program, 1, new String[] {"--gpu-architecture=" + arch.replace("sm_", "compute_")});
                String[] ptx = new String[1];
                JNvrtc.nvrtcGetPTX(program, ptx);
                return ptx[0];
            } catch (RuntimeException e) {
                String[] log = new String[1];
                JNvrtc.nvrtcGetProgramLog(program, log);
                throw new IllegalStateException("NVRTC could not compile the CUDA kernels: " + e.getMessage() + "\n" + log[0], e);
            } finally {
                JNvrtc.nvrtcDestroyProgram(program);
                JvmSignalHandlers.reinstate();
            }
        } catch (LinkageError e) {
            throw new IllegalStateException("no nvcc on the PATH and NVRTC (libnvrtc) cannot be loaded: install the CUDA toolkit "
                    + "or set CNNC_NVCC (" + e.getMessage().lines().findFirst().orElse("") + ")", e);
        }
    }
}
