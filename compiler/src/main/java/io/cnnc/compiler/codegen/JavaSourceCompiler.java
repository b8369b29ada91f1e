package io.cnnc.compiler.codegen;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Compiles generated Java source in memory with the JDK's compiler against this process's class
 * path, with debug information ({@code -g}), returning class files by binary name.
 */
public final class JavaSourceCompiler {

    private static final AtomicLong COMPILATIONS = new AtomicLong();

    private JavaSourceCompiler() {}

    /** How many sources this process has compiled: lets tests check that a path runs no javac. */
    public static long compilations() {
        return COMPILATIONS.get();
    }

    public static Map<String, byte[]> compile(String binaryName, String source) {
        COMPILATIONS.incrementAndGet();
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) throw new IllegalStateException("no Java compiler in this runtime: run cnnc on a JDK, not a JRE");
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        Map<String, ByteArrayOutputStream> classes = new LinkedHashMap<>();
        StandardJavaFileManager standard = javac.getStandardFileManager(diagnostics, null, null);
        var manager = new ForwardingJavaFileManager<>(standard) {
            @Override
            public JavaFileObject getJavaFileForOutput(Location location, String className, JavaFileObject.Kind kind, FileObject sibling) {
                return new SimpleJavaFileObject(URI.create("mem:///" + className.replace('.', '/') + kind.extension), kind) {
                    @Override
                    public OutputStream openOutputStream() {
                        return classes.computeIfAbsent(className, k -> new ByteArrayOutputStream());
                    }
                };
            }
        };
        JavaFileObject unit = new SimpleJavaFileObject(URI.create("string:///" + binaryName.replace('.', '/') + ".java"), JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return source;
            }
        };
        List<String> options = new ArrayList<>(List.of("-g", "-nowarn", "--release", "25", "-proc:none",
                "-classpath", System.getProperty("java.class.path")));
        StringWriter log = new StringWriter();
        boolean ok = javac.getTask(log, manager, diagnostics, options, null, List.of(unit)).call();
        if (!ok) {
            StringBuilder sb = new StringBuilder("generated code did not compile (a cnnc bug):\n");
            diagnostics.getDiagnostics().forEach(d -> sb.append(d).append('\n'));
            throw new IllegalStateException(sb.toString());
        }
        Map<String, byte[]> out = new LinkedHashMap<>();
        classes.forEach((k, v) -> out.put(k, v.toByteArray()));
        return out;
    }

    /** Loads compiled classes on top of the class loader that knows the kernels. */
    public static ClassLoader loader(Map<String, byte[]> classes, ClassLoader parent) {
        return new ClassLoader(parent) {
            @Override
            protected Class<?> findClass(String name) throws ClassNotFoundException {
                byte[] b = classes.get(name);
                if (b == null) throw new ClassNotFoundException(name);
                return defineClass(name, b, 0, b.length);
            }
        };
    }
}
