package io.cnnc.compiler.target.tornado;

import com.squareup.javapoet.JavaFile;
import io.cnnc.compiler.codegen.ModelSourceGenerator;
import io.cnnc.compiler.codegen.tornado.TornadoSourceGenerator;
import io.cnnc.compiler.target.FrontHalf;
import io.cnnc.compiler.target.Target;
import java.util.Map;

/**
 * TornadoVM: loop kernels over the planar graph and its memory plan, with {@code taskGraph} the
 * TaskGraph wiring (compile against tornado-api), without it the plain Java fallback. It needs
 * no CPU strategy or layout choice and no javac. Throws UnsupportedOperationException naming
 * layers the target lacks.
 */
public record TornadoTarget(int batch, boolean taskGraph) implements Target<JavaFile> {

    @Override
    public String name() {
        return "tornado";
    }

    @Override
    public JavaFile compile(FrontHalf front, Map<String, float[]> weights) {
        return new TornadoSourceGenerator(front.planar(), front.memory(), batch, ModelSourceGenerator.classNameFor(front.source().name()),
                taskGraph).generate();
    }
}
