"""The Conduit Pulumi program: wiring only; everything it calls is tested in conduit.program."""

from conduit import program

settings = program.settings_from_runtime()
stack = program.build(settings, program.secret_values())
program.export_outputs(settings, stack)
