package io.cnnc.runtime.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.kernels.OnnxGraph.Attribute;
import io.cnnc.runtime.onnx.OnnxWriter.IO;
import io.cnnc.runtime.onnx.OnnxWriter.Init;
import io.cnnc.runtime.onnx.OnnxWriter.NodeSpec;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile or broken ONNX files, built here with the wire-format writer: each gives an error that
 * names the file and what in it is wrong (the node, the tensor, the input), never an internal
 * error, an OutOfMemoryError or a silently truncated size.
 */
class OnnxBadModelTest {

    @TempDir
    Path tmp;

    private static final IO X = new IO("x", new long[] {-1, 2, 4, 4});
    private static final IO Y = new IO("y", new long[] {-1, 2, 4, 4});

    private Path write(String name, byte[] model) throws Exception {
        Path p = tmp.resolve(name);
        Files.write(p, model);
        return p;
    }

    private Path model(String name, List<NodeSpec> nodes, List<Init> inits, IO input) throws Exception {
        return write(name, OnnxWriter.model("g", 13, nodes, inits, List.of(input), List.of(Y)));
    }

    private static NodeSpec relu(String in, String out) {
        return new NodeSpec("Relu", "relu", List.of(in), List.of(out), List.of());
    }

    private static NodeSpec conv(Attribute... attrs) {
        return new NodeSpec("Conv", "conv", List.of("x", "w"), List.of("y"), List.of(attrs));
    }

    private static Init weights() {
        return new Init("w", new long[] {2, 2, 1, 1}, new float[] {1, 0, 0, 1}, null);
    }

    @Test
    void anInputDimensionBeyondIntIsAnErrorNotTruncated() throws Exception {
        // 2^32 + 1 used to become (int) 1 channel.
        Path p = model("wide.onnx", List.of(relu("x", "y")), List.of(), new IO("x", new long[] {-1, (1L << 32) + 1, 4, 4}));
        assertThat(OnnxImportChecks.importError(tmp, p)).contains("input 'x' has size 4294967297 in dimension 1 of [-1, 4294967297, 4, 4], more than cnnc's largest 2147483647");
        Path zero = model("zero.onnx", List.of(relu("x", "y")), List.of(), new IO("x", new long[] {-1, 2, 0, 4}));
        assertThat(OnnxImportChecks.importError(tmp, zero)).contains("input 'x' has size 0 in dimension 2 of [-1, 2, 0, 4]; sizes must be positive");
    }

    /** A model whose only content is one float initializer declaring {@code dims} and carrying no values. */
    private static byte[] initializerWithoutData(long... dims) throws Exception {
        byte[] tensor = message(out -> {
            for (long d : dims) out.writeInt64(1, d);
            out.writeInt32(2, OnnxReader.FLOAT);
            out.writeString(8, "w");
        });
        byte[] graph = message(out -> out.writeByteArray(5, tensor));
        return message(out -> out.writeByteArray(7, graph));
    }

    private static byte[] message(OnnxWriter.Body body) throws Exception {
        return OnnxWriter.message(body);
    }

    @Test
    void anInitializerDeclaringMoreValuesThanItHoldsFailsBeforeAllocating() throws Exception {
        // [46340, 46340] floats are 8 GiB: allocating before counting was an OutOfMemoryError.
        Path p = write("hollow.onnx", initializerWithoutData(46340, 46340));
        assertThat(OnnxImportChecks.importError(tmp, p)).contains("not a valid ONNX model (tensor 'w' has shape [46340, 46340] (2147395600 values) but holds 0)");
        Path q = write("hollow2.onnx", initializerWithoutData(30000, 30000));
        assertThat(OnnxImportChecks.importError(tmp, q)).contains("tensor 'w' has shape [30000, 30000] (900000000 values) but holds 0");
    }

    @Test
    void aFileOverTwoGibibytesIsRefusedBeforeReading() throws Exception {
        Path p = tmp.resolve("huge.onnx");
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength((1L << 31) + 1);   // sparse: no disk space
        }
        assertThat(OnnxImportChecks.importError(tmp, p)).contains("is 2.0 GiB; an ONNX model file holds at most 2 GiB");
    }

    @Test
    void aNodeWithoutAnOutputIsNamed() throws Exception {
        Path p = model("noout.onnx", List.of(new NodeSpec("Relu", "lost", List.of("x"), List.of(), List.of()), relu("x", "y")),
                List.of(), X);
        assertThat(OnnxImportChecks.importError(tmp, p)).contains("Relu 'lost': has no output");
    }

    @Test
    void convStridesOfTheWrongLengthOrZeroAreNamed() throws Exception {
        Path one = model("s1.onnx", List.of(conv(Attribute.of("strides", new long[] {2}))), List.of(weights()), X);
        assertThat(OnnxImportChecks.importError(tmp, one)).contains("Conv 'conv': strides [2] (a 2-D Conv needs two positive values)");
        Path zero = model("s0.onnx", List.of(conv(Attribute.of("strides", 0L, 0L))), List.of(weights()), X);
        assertThat(OnnxImportChecks.importError(tmp, zero)).contains("Conv 'conv': strides [0, 0] (a 2-D Conv needs two positive values)");
        Path pool = model("p0.onnx", List.of(new NodeSpec("MaxPool", "pool", List.of("x"), List.of("y"),
                List.of(Attribute.of("kernel_shape", 2L, 2L), Attribute.of("strides", 0L, 1L)))), List.of(), X);
        assertThat(OnnxImportChecks.importError(tmp, pool)).contains("MaxPool 'pool': strides [0, 1] (a 2-D MaxPool needs two positive values)");
    }

    @Test
    void integerConvWeightsAreNamed() throws Exception {
        Path p = model("int.onnx", List.of(conv()), List.of(new Init("w", new long[] {2, 2, 1, 1}, null, new long[] {1, 0, 0, 1})), X);
        assertThat(OnnxImportChecks.importError(tmp, p)).contains("Conv 'conv': weights 'w' are integers (ONNX data type 7); the op takes float weights");
    }

    @Test
    void aGatherIndexOutOfRangeIsNamed() throws Exception {
        Path p = model("gather.onnx", List.of(new NodeSpec("Shape", "shape", List.of("x"), List.of("s"), List.of()),
                new NodeSpec("Gather", "pick", List.of("s", "i"), List.of("g"), List.of()), relu("x", "y")),
                List.of(new Init("i", new long[] {1}, null, new long[] {7})), X);
        assertThat(OnnxImportChecks.importError(tmp, p)).contains("Gather 'pick': index 7 is out of range for the 4 values it gathers from");
    }

    @Test
    void anyOtherFailureInANodeIsReportedForThatNode() throws Exception {
        // A Slice with an empty 'starts' constant: no check foresees it, the importer still names the node.
        Path p = model("slice.onnx", List.of(new NodeSpec("Shape", "shape", List.of("x"), List.of("s"), List.of()),
                new NodeSpec("Slice", "cut", List.of("s", "starts", "ends"), List.of("t"), List.of()), relu("x", "y")),
                List.of(new Init("starts", new long[] {0}, null, new long[0]), new Init("ends", new long[] {1}, null, new long[] {1})), X);
        assertThat(OnnxImportChecks.importError(tmp, p)).contains("Slice 'cut': cannot be translated (ArrayIndexOutOfBoundsException");
    }
}
