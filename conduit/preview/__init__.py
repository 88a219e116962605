"""The offline preview: the program under the mock runtime, the pack over the analyzer protocol."""
