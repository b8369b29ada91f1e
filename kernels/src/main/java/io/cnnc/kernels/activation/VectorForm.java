package io.cnnc.kernels.activation;

import jdk.incubator.vector.FloatVector;

/** An activation computed in float on whole vectors: the body of {@link VectorLoop#map}. */
public interface VectorForm {

    FloatVector apply(FloatVector v, float alpha);
}
