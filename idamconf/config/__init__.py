"""Reading the configuration directory into the desired model: YAML -> schema -> semantic checks -> model."""
