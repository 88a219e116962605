"""The offline preview: the program under the SDK's mock runtime, the pack over the analyzer protocol."""
