package io.cnnc.runtime.train;

import io.cnnc.runtime.Tensor;
import java.util.Map;

/** Spots a training run gone numerically wrong: weights that hold a NaN or an infinity. */
public final class Divergence {

    private Divergence() {}

    /** The name of the first tensor holding a NaN or an infinity, or null when every value is finite. */
    public static String firstNonFinite(Map<String, Tensor> params) {
        for (Map.Entry<String, Tensor> e : params.entrySet()) {
            for (float v : e.getValue().data()) {
                if (!Float.isFinite(v)) return e.getKey();
            }
        }
        return null;
    }
}
