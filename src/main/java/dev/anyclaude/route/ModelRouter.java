package dev.anyclaude.route;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Maps the model name a client asks for to the model name the backend serves: explicit aliases first,
 * then Claude's small-fast family (haiku) to the small model, everything else to the main model.
 */
public final class ModelRouter {
    private final String mainModel;
    private final String smallModel;
    private final Map<String, String> aliases;

    /**
     * @param mainModel backend model for ordinary requests; null passes the requested name through
     * @param smallModel backend model for haiku-class requests; null means the main model
     * @param aliases exact client names mapped to backend names
     */
    public ModelRouter(String mainModel, String smallModel, Map<String, String> aliases) {
        this.mainModel = mainModel;
        this.smallModel = smallModel;
        this.aliases = new LinkedHashMap<>(aliases);
    }

    public String resolve(String requested) {
        String alias = aliases.get(requested);
        if (alias != null) {
            return alias;
        }
        if (smallModel != null && requested.toLowerCase(Locale.ROOT).contains("haiku")) {
            return smallModel;
        }
        return mainModel != null ? mainModel : requested;
    }

    public String mainModel() {
        return mainModel;
    }

    public String smallModel() {
        return smallModel != null ? smallModel : mainModel;
    }

    public Map<String, String> aliases() {
        return Map.copyOf(aliases);
    }
}
