package io.cnnc.runtime.embed;

import io.cnnc.kernels.cpu.CompiledNetwork;
import io.cnnc.kernels.cpu.Parallel;
import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.io.Safetensors;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;

/**
 * A compiled network in an application: {@code Model.load().predict(pixels)}. The jar written by
 * {@code cnnc compile -o model.jar} holds the generated class, its folded weights and this API;
 * put it on the class path and nothing else is needed (no cnnc installation, no JDK compiler).
 * Safe to share between threads: each call runs on an instance of the network no other call is
 * using at the time (instances are made as needed and reused, see {@link NetworkPool}).
 */
public final class Model {

    static final String DESCRIPTOR = "cnnc/model.properties";

    private final NetworkPool pool;
    /** An instance for the questions every instance answers alike (batch, output lengths). */
    private final CompiledNetwork network;
    private final String name;
    private final int[] inputShape;
    private final int[] outputShape;

    Model(CompiledNetwork network, Supplier<CompiledNetwork> factory, String name, int[] inputShape, int[] outputShape) {
        this.pool = new NetworkPool(network, factory);
        this.network = network;
        this.name = name;
        this.inputShape = inputShape;
        this.outputShape = outputShape;
    }

    /** The model packaged on the class path, using every core. */
    public static Model load() {
        return load(Runtime.getRuntime().availableProcessors());
    }

    /** The model packaged on the class path, using {@code threads} cores. */
    public static Model load(int threads) {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        if (loader == null) loader = Model.class.getClassLoader();
        Properties p = new Properties();
        try (InputStream in = loader.getResourceAsStream(DESCRIPTOR)) {
            if (in == null) throw new IllegalStateException("no compiled cnnc model on the class path (" + DESCRIPTOR + " is missing)");
            p.load(in);
            Map<String, float[]> weights = readWeights(loader);
            Constructor<?> constructor = loader.loadClass(p.getProperty("class")).getConstructor(Map.class, Parallel.class);
            Parallel parallel = Parallel.of(threads);
            Supplier<CompiledNetwork> factory = () -> {
                try {
                    return (CompiledNetwork) constructor.newInstance(weights, parallel);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException("the packaged model class could not be created", e);
                }
            };
            return new Model(factory.get(), factory, p.getProperty("name"), ints(p.getProperty("input")), ints(p.getProperty("output")));
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the packaged model", e);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the packaged model class could not be created", e);
        }
    }

    /** Wraps a network compiled in this process; concurrent calls take turns on it. */
    public static Model of(CompiledNetwork network, String name, int[] inputShape, int[] outputShape) {
        return new Model(network, null, name, inputShape.clone(), outputShape.clone());
    }

    /** Wraps a network compiled in this process; {@code factory} makes an instance for each call running concurrently. */
    public static Model of(Supplier<CompiledNetwork> factory, String name, int[] inputShape, int[] outputShape) {
        return new Model(factory.get(), factory, name, inputShape.clone(), outputShape.clone());
    }

    private static Map<String, float[]> readWeights(ClassLoader loader) throws IOException {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : PackagedWeights.read(loader).entrySet()) out.put(e.getKey(), e.getValue().data());
        return out;
    }

    /**
     * Runs the network on {@code input}: {@code batch * C * H * W} floats in NCHW order (for one
     * image, its channels one after another, rows top to bottom). Returns the first output.
     */
    public float[] predict(float[] input) {
        return predictAll(input)[0];
    }

    /** Every output, for networks with several inputs or outputs. */
    public float[][] predictAll(float[]... inputs) {
        checkInput(inputs);
        return pool.apply(net -> net.forward(inputs));
    }

    /**
     * As {@link #predict}, into {@code output} ({@link #outputLength()} floats) instead of a new
     * array: the last layer writes there directly, so a serving loop allocates nothing.
     */
    public void predictInto(float[] input, float[] output) {
        float[][] inputs = {input};
        checkInput(inputs);
        int[] lengths = network.outputLengths();
        float[][] outputs = new float[lengths.length][];
        outputs[0] = output;
        for (int i = 1; i < lengths.length; i++) outputs[i] = new float[lengths[i]];
        pool.apply(net -> {
            net.forward(inputs, outputs);
            return null;
        });
    }

    /** Floats of the first output for the whole batch. */
    public int outputLength() {
        return network.outputLengths()[0];
    }

    private void checkInput(float[][] inputs) {
        long expected = (long) network.batch() * inputShape[0] * inputShape[1] * inputShape[2];
        if (inputs.length > 0 && inputs[0].length != expected) {
            throw new IllegalArgumentException(name + " expects " + expected + " floats (batch " + network.batch() + " x "
                    + Arrays.toString(inputShape) + "), got " + inputs[0].length);
        }
    }

    public String name() {
        return name;
    }

    public int batch() {
        return network.batch();
    }

    /** Per-sample [C, H, W] of the first input. */
    public int[] inputShape() {
        return inputShape.clone();
    }

    /** Per-sample [C, H, W] of the first output. */
    public int[] outputShape() {
        return outputShape.clone();
    }

    static int[] ints(String s) {
        return Arrays.stream(s.split(",")).mapToInt(Integer::parseInt).toArray();
    }
}
