package io.cnnc.runtime.embed;

import com.google.gson.Gson;
import io.cnnc.compiler.codegen.CompiledModel;
import io.cnnc.compiler.ir.Shape;
import io.cnnc.kernels.cpu.CompiledNetwork;
import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.io.AtomicFiles;
import io.cnnc.runtime.io.Safetensors;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

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
        LIBRARY.put("io/cnnc/runtime/io/", Safetensors.class);
        LIBRARY.put("io/cnnc/runtime/Tensor", Tensor.class);
        LIBRARY.put("com/google/gson/", Gson.class);
    }

    private ModelJar() {}

    public static void write(Path jar, CompiledModel model) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        AtomicFiles.write(jar, stream -> {
            JarOutputStream out = new JarOutputStream(stream, manifest);
            Set<String> written = new HashSet<>(Set.of("META-INF/", JarFile.MANIFEST_NAME));
            for (Map.Entry<String, byte[]> c : model.classes().entrySet()) {
                put(out, written, c.getKey().replace('.', '/') + ".class", c.getValue());
            }
            put(out, written, Model.DESCRIPTOR, descriptor(model));
            put(out, written, Model.WEIGHTS, weights(model));
            put(out, written, "cnnc/" + model.className().substring(model.className().lastIndexOf('.') + 1) + ".java",
                    model.javaSource().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            for (Map.Entry<String, Class<?>> lib : LIBRARY.entrySet()) copyLibrary(out, written, lib.getKey(), lib.getValue());
            out.finish();
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
        Path tmp = Files.createTempFile("cnnc-folded", ".safetensors");
        try {
            Safetensors.write(tmp, tensors, Map.of("format", "cnnc-folded"));
            return Files.readAllBytes(tmp);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void copyLibrary(JarOutputStream out, Set<String> written, String prefix, Class<?> anchor) throws IOException {
        Path source;
        try {
            source = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IOException("cannot locate the classes of " + anchor.getName(), e);
        }
        if (Files.isDirectory(source)) {
            try (Stream<Path> files = Files.walk(source)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    String name = source.relativize(f).toString().replace('\\', '/');
                    if (name.startsWith(prefix)) put(out, written, name, Files.readAllBytes(f));
                }
            }
        } else {
            try (JarFile jf = new JarFile(source.toFile())) {
                for (JarEntry e : jf.stream().toList()) {
                    if (!e.isDirectory() && e.getName().startsWith(prefix)) {
                        try (InputStream in = jf.getInputStream(e)) {
                            put(out, written, e.getName(), in.readAllBytes());
                        }
                    }
                }
            }
        }
    }

    private static void put(JarOutputStream out, Set<String> written, String name, byte[] data) throws IOException {
        if (!written.add(name)) return;
        out.putNextEntry(new JarEntry(name));
        out.write(data);
        out.closeEntry();
    }
}
