/**
 * Backward kernels: given the forward inputs (and where cheaper, outputs) and the gradient of
 * the loss with respect to an op's output, they write the input gradient and add to parameter
 * gradients. Plain loops, accumulating in double; each is checked against finite differences
 * of the matching forward reference kernel.
 */
package io.cnnc.kernels.backward;
