package io.cnnc.runtime.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Three optimizer steps against torch.optim (src/test/fixtures/optim/make_optim_fixtures.py). */
class OptimizerTest {

    private static float[] floats(JsonArray a) {
        float[] out = new float[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).getAsFloat();
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"sgd", "sgd_momentum_wd", "sgd_nesterov", "adam", "adamw"})
    void matchesTorchOptim(String name) throws Exception {
        JsonObject root = JsonParser.parseString(Files.readString(Path.of("src/test/resources/optim/optim.json"))).getAsJsonObject();
        JsonObject c = root.getAsJsonObject("cases").getAsJsonObject(name);
        JsonObject s = c.getAsJsonObject("settings");
        double wd = s.has("weight_decay") ? s.get("weight_decay").getAsDouble() : 0;
        Optimizer opt = switch (name) {
            case "adam" -> new Adam(0.9, 0.999, 1e-8, wd, false);
            case "adamw" -> new Adam(0.9, 0.999, 1e-8, wd, true);
            default -> new Sgd(s.has("momentum") ? s.get("momentum").getAsDouble() : 0, wd,
                    s.has("nesterov") && s.get("nesterov").getAsBoolean());
        };
        float[] p = floats(root.getAsJsonArray("p0"));
        for (var g : root.getAsJsonArray("grads")) opt.step(Map.of("w", p), Map.of("w", floats(g.getAsJsonArray())), s.get("lr").getAsDouble());
        float[] want = floats(c.getAsJsonArray("after"));
        // Both update in float32; three steps accumulate a few ulps.
        for (int i = 0; i < p.length; i++) assertThat(p[i]).as("%s[%d]", name, i).isCloseTo(want[i], org.assertj.core.data.Offset.offset(2e-6f));
    }
}
