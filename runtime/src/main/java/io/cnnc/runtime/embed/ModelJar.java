package io.cnnc.runtime.embed;

import com.google.gson.Gson;
import io.cnnc.compiler.codegen.CompiledModel;
import io.cnnc.compiler.ir.Shape;
import io.cnnc.kernels.cpu.CompiledNetwork;
import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.io.Safetensors;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Packages a compiled model as a self-contained jar: the generated classes, the folded weights
 * (safetensors), a descriptor, and the library classes the generated code and {@link Model}
 * need (kernels, this package, the safetensors reader and gson), copied from wherever this
 * process loaded them. Written to a temporary file and renamed, so a failed write leaves any
 * previous jar intact.
 */
public final class ModelJar {

    /** Library classes by package prefix, each located through one class in it. */
    private static final Map<String, Class<?>> LIBRARY = new LinkedHashMap<>();

    static {
        LIBRARY.put("io/cnnc/kernels/", CompiledNetwork.class);
        LIBRARY.put("io/cnnc/runtime/embed/Model", Model.class);
        LIBRARY.put("io/cnnc/runtime/embed/NetworkPool", NetworkPool.class);
        LIBRARY.put("io/cnnc/runtime/embed/PackagedWeights", PackagedWeights.class);
        LIBRARY.put("io/cnnc/runtime/io/", Safetensors.class);
        LIBRARY.put("io/cnnc/runtime/Tensor", Tensor.class);
        LIBRARY.put("com/google/gson/", Gson.class);
    }

    private ModelJar() {}

    public static void write(Path jar, CompiledModel model) throws IOException {
        JarContents.write(jar, out -> {
            for (Map.Entry<String, byte[]> c : model.classes().entrySet()) out.put(c.getKey().replace('.', '/') + ".class", c.getValue());
            out.put(Model.DESCRIPTOR, descriptor(model));
            out.put(PackagedWeights.WEIGHTS, weights(model));
            out.put("cnnc/" + model.className().substring(model.className().lastIndexOf('.') + 1) + ".java",
                    model.javaSource().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            for (Map.Entry<String, Class<?>> lib : LIBRARY.entrySet()) out.copyLibrary(lib.getKey(), lib.getValue());
        });
    }

    private static byte[] descriptor(CompiledModel model) throws IOException {
        Properties p = new Properties();
        p.setProperty("class", model.className());
        p.setProperty("name", model.source().name());
        p.setProperty("batch", Integer.toString(model.options().batch()));
        p.setProperty("input", csv(model.source().inputs().getFirst().shape()));
        p.setProperty("output", csv(model.source().outputs().getFirst().shape()));
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        p.store(b, "cnnc compiled model");
        return b.toByteArray();
    }

    static String csv(Shape s) {
        return s.c() + "," + s.h() + "," + s.w();
    }

    private static byte[] weights(CompiledModel model) throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        model.weights().forEach((k, v) -> tensors.put(k, Tensor.of(v, v.length)));
        return JarContents.safetensors(tensors, Map.of("format", "cnnc-folded"));
    }
}
