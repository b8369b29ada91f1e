package io.cnnc.runtime.cli;

import static io.cnnc.runtime.cli.CliTestAccess.cnnc;
import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.cli.CliTestAccess.Result;
import io.cnnc.runtime.gpu.OpenClTestDevice;
import io.cnnc.runtime.gpu.cuda.CudaBackend;
import io.cnnc.runtime.io.Npy;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cnnc run/compile --target opencl|cuda} and {@code cnnc devices}, as a user meets them. */
class GpuCliTest {

    @TempDir
    Path tmp;

    private static final String NET = """
            network Net { input x: [3, 12, 12]
              y = conv(16, 3, pad=1, bias=false) -> bn -> relu
              y + (y -> conv(16, 3, pad=1, bias=false) -> bn) -> relu -> dwconv(3, stride=2) -> gap -> flatten -> dense(4)
            }""";

    private Path net() throws Exception {
        Path f = tmp.resolve("n.cnn");
        Files.writeString(f, NET);
        return f;
    }

    @Test
    void runOnOpenClAgreesWithTheReferenceEngine() throws Exception {
        OpenClTestDevice.get();
        Path f = net();
        float[] x = new float[2 * 3 * 12 * 12];
        for (int i = 0; i < x.length; i++) x[i] = (float) Math.sin(i);
        Path in = tmp.resolve("x.npy");
        Npy.write(in, Tensor.of(x, 2, 3, 12, 12));
        Result gpu = cnnc("run", f.toString(), "--input", in.toString(), "--target", "opencl", "--profile", "--output", tmp.resolve("a.npy").toString());
        Result ref = cnnc("run", f.toString(), "--input", in.toString(), "--engine", "reference", "--output", tmp.resolve("b.npy").toString());
        assertThat(gpu.code()).as(gpu.err()).isZero();
        assertThat(ref.code()).as(ref.err()).isZero();
        assertThat(gpu.out()).contains("opencl on ", "forward pass: ", "winograd", "layer ms", "sample 1:");
        float[] a = Npy.read(tmp.resolve("a.npy")).data();
        float[] b = Npy.read(tmp.resolve("b.npy")).data();
        assertThat(a).hasSameSizeAs(b);
        for (int i = 0; i < a.length; i++) assertThat((double) Math.abs(a[i] - b[i])).isLessThan(1e-5);
    }

    @Test
    void compileWritesTheKernelProgramAndThePlanWithoutADevice() throws Exception {
        Path f = net();
        Path dir = tmp.resolve("out");
        Result cl = cnnc("compile", f.toString(), "--target", "opencl", "--explain", "--emit-kernels", dir.toString());
        assertThat(cl.code()).as(cl.err()).isZero();
        assertThat(cl.out()).contains("planned for opencl", "conv+bn+relu", "conv+bn+add+relu", "winograd", "depthwise", "why", "launches:");
        assertThat(Files.readString(dir.resolve("Net.cl"))).contains("__kernel void", "conv_gemm");
        assertThat(Files.readString(dir.resolve("Net.plan.txt"))).contains("winograd_input", "device memory:");
        Result cu = cnnc("compile", f.toString(), "--target", "cuda", "--emit-kernels", dir.toString());
        assertThat(cu.code()).as(cu.err()).isZero();
        assertThat(Files.readString(dir.resolve("Net.cu"))).contains("extern \"C\" __global__ void");
        assertThat(cu.out()).containsAnyOf("Net.ptx", "no nvcc here");
    }

    @Test
    void devicesListsOpenClAndSaysWhetherCudaIsUsable() {
        Result r = cnnc("devices");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("OpenCL:", "CUDA:", "kernels compile with");
        assertThat(r.out()).containsAnyOf("* 0:", "none: ");
        assertThat(r.out()).containsAnyOf("not usable: no CUDA device", "multiprocessors");
    }

    @Test
    void devicesCheckRunsEveryStrategyOnTheOpenClDevice() {
        OpenClTestDevice.get();
        Result r = cnnc("devices", "--check");
        assertThat(r.code()).as(r.out()).isZero();
        assertThat(r.out()).contains("check on ", "ok   every layer kind, default strategies", "ok   every conv as winograd where it applies",
                "ok   every conv as depthwise where it applies").doesNotContain("FAIL");
    }

    @Test
    void runOnCudaWithoutADeviceIsAOneLineError() throws Exception {
        boolean cuda;
        try {
            CudaBackend.devices();
            cuda = true;
        } catch (IllegalStateException e) {
            cuda = false;
        }
        Assumptions.assumeFalse(cuda, "this machine has a CUDA device: the no-device error cannot be shown");
        Path in = tmp.resolve("x.npy");
        Npy.write(in, Tensor.of(new float[3 * 12 * 12], 3, 12, 12));
        Result r = cnnc("run", net().toString(), "--input", in.toString(), "--target", "cuda");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("error: --target cuda: no CUDA device").doesNotContain("\tat ");
    }

    @Test
    void gpuOptionsMisusedAreOneLineErrors() throws Exception {
        Path f = net();
        Result jar = cnnc("compile", f.toString(), "--target", "opencl", "-o", tmp.resolve("m.jar").toString());
        assertThat(jar.code()).isEqualTo(1);
        assertThat(jar.err()).contains("--target cpu").doesNotContain("\tat ");
        Result emit = cnnc("compile", f.toString(), "--emit-kernels", tmp.toString());
        assertThat(emit.code()).isEqualTo(1);
        assertThat(emit.err()).contains("--emit-kernels needs --target opencl or cuda");
    }
}
