package io.cnnc.kernels.activation;

import jdk.incubator.vector.FloatVector;

/**
 * An activation that trains on vectors: its forward ({@link VectorForm}) gives the same floats
 * as its scalar formula, and its derivative is computed a vector at a time too.
 */
public interface VectorGradient extends VectorForm {

    /** The derivative at each lane of {@code v}. */
    FloatVector derivative(FloatVector v, float alpha);
}
