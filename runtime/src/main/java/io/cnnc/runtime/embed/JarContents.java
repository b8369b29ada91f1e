package io.cnnc.runtime.embed;

import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.io.AtomicFiles;
import io.cnnc.runtime.io.Safetensors;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * The entries of a jar cnnc packages (a model, a trainer): resources, and library classes copied
 * from wherever this process loaded them, a directory or a jar. Each name is written once.
 */
final class JarContents {

    /** What fills a jar. */
    interface Filler {
        void fill(JarContents out) throws IOException;
    }

    private final JarOutputStream out;
    private final Set<String> written = new HashSet<>(Set.of("META-INF/", JarFile.MANIFEST_NAME));

    private JarContents(JarOutputStream out) {
        this.out = out;
    }

    /** Writes {@code jar} to a temporary file and renames it, so a failed write leaves any previous jar intact. */
    static void write(Path jar, Filler filler) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        AtomicFiles.write(jar, stream -> {
            JarOutputStream out = new JarOutputStream(stream, manifest);
            filler.fill(new JarContents(out));
            out.finish();
        });
    }

    /** {@code tensors} as a safetensors file's bytes. */
    static byte[] safetensors(Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        Path tmp = Files.createTempFile("cnnc-weights", ".safetensors");
        try {
            Safetensors.write(tmp, tensors, metadata);
            return Files.readAllBytes(tmp);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The classes and resources under {@code prefix} from where {@code anchor} was loaded. */
    void copyLibrary(String prefix, Class<?> anchor) throws IOException {
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
                    if (name.startsWith(prefix)) put(name, Files.readAllBytes(f));
                }
            }
        } else {
            try (JarFile jf = new JarFile(source.toFile())) {
                for (JarEntry e : jf.stream().toList()) {
                    if (!e.isDirectory() && e.getName().startsWith(prefix)) {
                        try (InputStream in = jf.getInputStream(e)) {
                            put(e.getName(), in.readAllBytes());
                        }
                    }
                }
            }
        }
    }

    void put(String name, byte[] data) throws IOException {
        if (!written.add(name)) return;
        out.putNextEntry(new JarEntry(name));
        out.write(data);
        out.closeEntry();
    }
}
