package io.cnnc.runtime.embed;

import io.cnnc.runtime.Tensor;
import io.cnnc.runtime.io.Safetensors;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/** The weights a model or trainer jar carries, {@value #WEIGHTS}, read through a temporary file (the safetensors reader maps files). */
final class PackagedWeights {

    static final String WEIGHTS = "cnnc/weights.safetensors";

    private PackagedWeights() {}

    static Map<String, Tensor> read(ClassLoader loader) throws IOException {
        Path tmp = Files.createTempFile("cnnc-weights", ".safetensors");
        try {
            try (InputStream in = loader.getResourceAsStream(WEIGHTS)) {
                if (in == null) throw new IllegalStateException("the packaged jar has no " + WEIGHTS);
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            }
            return Safetensors.read(tmp);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
