"""Where client secrets go (issue 19): Azure Key Vault -- or, in an emulator environment, the emulator's vault or
an environment's local file sink -- and nowhere else. `urls` says which vault URLs a configuration may name (pure:
validate imports it); `sinks` writes a value and lists which key ids have a copy; `transport` is the one HTTP
transport the Key Vault SDK is given, confined to the vault's origin."""
