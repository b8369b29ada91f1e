package io.cnnc.bench;

import io.cnnc.kernels.ActivationKind;
import io.cnnc.kernels.ConvGeometry;
import io.cnnc.kernels.cpu.Parallel;
import io.cnnc.kernels.cpu.conv.ConvKernel;
import io.cnnc.kernels.cpu.conv.ConvStrategies;
import io.cnnc.kernels.cpu.conv.Epilogue;
import io.cnnc.kernels.cpu.conv.InvertedResidualKernel;
import io.cnnc.compiler.schedule.CostModel;
import io.cnnc.compiler.schedule.InvertedResidualFusion;
import io.cnnc.compiler.schedule.Machine;
import java.util.Random;

/**
 * MobileNetV2's inverted residual blocks (batch 1) computed as one kernel ({@link InvertedResidualKernel})
 * against their three layers on the strategies MobileNetV2's layers get apart (gemm-1x1 and depthwise
 * on NCHW, direct-nchwc and depthwise-nchwc on NCHW16c), each timed as the best of 7 rounds of 100 ms
 * after a warm-up, and the efficiency the fused times imply under the cost model's formula
 * ({@code inverted-residual} in the efficiency tables: their median). Usage:
 * {@code InvertedResidualBench THREADS}; results in docs/kernels.md ("Inverted residual blocks
 * in one kernel").
 */
public final class InvertedResidualBench {
    static float[] u(Random r, int n) { float[] a = new float[n]; for (int i = 0; i < n; i++) a[i] = r.nextFloat() * 2 - 1; return a; }
    static double time(Runnable f) {
        for (int i = 0; i < 200; i++) f.run();
        double best = 1e9;
        for (int round = 0; round < 7; round++) {
            int n = 0; long t0 = System.nanoTime();
            while (System.nanoTime() - t0 < 100_000_000) { f.run(); n++; }
            best = Math.min(best, (System.nanoTime() - t0) / 1e6 / n);
        }
        return best;
    }
    public static void main(String[] a) {
        int threads = Integer.parseInt(a[0]);
        Parallel par = Parallel.of(threads);
        java.util.List<Double> efficiencies = new java.util.ArrayList<>();
        int[][] cases = {{24,56,144,1,24,0},{16,112,96,2,24,0},{32,28,192,1,32,0},{64,14,384,1,64,1},{160,7,960,1,160,1},{96,14,576,1,96,1}};
        for (int[] c : cases) {
            int inC=c[0], hw=c[1], E=c[2], s=c[3], outC=c[4]; boolean blocked = c[5]==1;
            ConvGeometry e = new ConvGeometry(inC,hw,hw,E,1,1,1,1,0,0,0,0,1,1,1);
            ConvGeometry d = new ConvGeometry(E,hw,hw,E,3,3,s,s,1,1,1,1,1,1,E);
            ConvGeometry p = new ConvGeometry(E,d.outH(),d.outW(),outC,1,1,1,1,0,0,0,0,1,1,1);
            boolean res = s==1 && inC==outC;
            Random r = new Random(1);
            float[] x = u(r, inC*hw*hw), we=u(r,e.weightCount()), be=u(r,E), wd=u(r,d.weightCount()), bd=u(r,E), wp=u(r,p.weightCount()), bp=u(r,outC);
            float[] mid = new float[E*hw*hw], mid2 = new float[E*d.outH()*d.outW()], y = new float[outC*d.outH()*d.outW()];
            String s1 = blocked ? "direct-nchwc" : "gemm-1x1", s2 = blocked ? "depthwise-nchwc" : "depthwise";
            ConvKernel k1 = ConvStrategies.byName(s1).prepare(e, we, Epilogue.of(be,false,ActivationKind.RELU6,0), par);
            ConvKernel k2 = ConvStrategies.byName(s2).prepare(d, wd, Epilogue.of(bd,false,ActivationKind.RELU6,0), par);
            ConvKernel k3 = ConvStrategies.byName(s1).prepare(p, wp, Epilogue.of(bp,res,ActivationKind.IDENTITY,0), par);
            InvertedResidualKernel f = new InvertedResidualKernel(e, we, Epilogue.of(be,false,ActivationKind.RELU6,0), d, wd, Epilogue.of(bd,false,ActivationKind.RELU6,0), p, wp, Epilogue.of(bp,res,ActivationKind.IDENTITY,0), blocked, blocked, par);
            float[] rr = res ? x : null;
            double t1 = time(() -> k1.forward(x, null, mid, 1)), t2 = time(() -> k2.forward(mid, null, mid2, 1)), t3 = time(() -> k3.forward(mid2, rr, y, 1));
            double sep = time(() -> { k1.forward(x, null, mid, 1); k2.forward(mid, null, mid2, 1); k3.forward(mid2, rr, y, 1); });
            double fu = time(() -> f.forward(x, rr, y, 1));
            efficiencies.add(CostModel.efficiencyOf(Machine.detect(), InvertedResidualFusion.work(e, d, p), fu, threads));
            double gflop = 2.0*(e.macsPerSample()+d.macsPerSample()+p.macsPerSample())/1e9;
            System.out.printf("%3d->%4d->%3d @%3d s%d %s: separate %.3f (%.3f+%.3f+%.3f) ms, fused %.3f ms (%.0f GFLOP/s) ratio %.2f  %s%n", inC,E,outC,hw,s, blocked?"nchw16c":"nchw", sep,t1,t2,t3, fu, gflop/fu*1e3, fu/sep, f.tiling());
        }
        System.out.printf("%s=%.3f (median efficiency of the fused kernel on %d thread(s))%n",
                threads == 1 ? InvertedResidualFusion.EFFICIENCY_KEY : InvertedResidualFusion.EFFICIENCY_KEY + "@2", CostModel.median(efficiencies), threads);
    }
}
