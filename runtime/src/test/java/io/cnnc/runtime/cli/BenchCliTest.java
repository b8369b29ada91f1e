package io.cnnc.runtime.cli;

import static io.cnnc.runtime.cli.CliTestAccess.cnnc;
import static org.assertj.core.api.Assertions.assertThat;

import io.cnnc.runtime.cli.CliTestAccess.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** cnnc bench prints its figures and, with --profile, a row per layer; it asserts nothing about speed (benchmarks never do). */
class BenchCliTest {

    @Test
    void benchPrintsLatencyThroughputAndTheProfile(@TempDir Path tmp) throws Exception {
        Path net = tmp.resolve("n.cnn");
        Files.writeString(net, "network N { input x: [8, 12, 12]\n  x -> conv(16, 3, pad=1) -> bn -> relu -> maxpool(2) -> conv(16, 3, pad=1) -> gap -> flatten -> dense(4) }\n");
        Result r = cnnc("bench", net.toString(), "--threads", "1", "--batch", "2", "--seconds", "0.3", "--profile");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("N, batch 2, 1 thread on ")
                .containsPattern("latency     median [0-9.]+ ms, p10 [0-9.]+, p90 [0-9.]+, min [0-9.]+ \\([0-9]+ passes")
                .containsPattern("throughput  [0-9.]+ images/s")
                .containsPattern("arithmetic  [0-9.]+ MFLOP a pass \\(as direct convolution counts them\\): [0-9.]+ GFLOP/s, [0-9]+% of the FP32 peak")
                .containsPattern("strategies  \\{[a-z0-9-]+=\\d.*\\} \\(cost model\\)")
                .contains("cost model  the shipped table for ")
                .contains("forward pass: ").containsPattern("conv1 +conv\\+bn\\+relu").containsPattern("dense1 +dense");
        assertThat(cnnc("bench", net.toString(), "--seconds", "0").err()).contains("--seconds must be more than 0");
    }

    /** Several thread counts are timed in alternating rounds and each compared with the first, pair by pair. */
    @Test
    void benchComparesThreadCountsRoundByRound(@TempDir Path tmp) throws Exception {
        Path net = tmp.resolve("n.cnn");
        Files.writeString(net, "network N { input x: [8, 12, 12]\n  x -> conv(16, 3, pad=1) -> relu -> gap -> flatten -> dense(4) }\n");
        Result r = cnnc("bench", net.toString(), "--threads", "1,2", "--seconds", "0.3");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("N, batch 1, 1, 2 threads on ").contains("timed in alternating rounds")
                .contains("\n1 thread\nlatency     median ").contains("\n2 threads\nlatency     median ")
                .containsPattern("2 threads against 1: [0-9.]+x the time \\(median of \\d+ paired rounds; [0-9.]+ to [0-9.]+\\)");
        assertThat(cnnc("bench", net.toString(), "--threads", "1,2", "--profile").err()).contains("--profile times one thread count");
    }
}
