"""The ``paygate`` command: the operator's tool, beside the runtime rather than inside it.

One module per command group, each with a ``register(commands)`` that adds its sub-parser (see
``main.COMMAND_GROUPS``). The operator commands (``merchants``, ``dlq``, ``streams``,
``deploy-watch``) talk to a deployed stack through its public API or the AWS APIs (AWS, LocalStack
or any endpoint given with ``--endpoint-url``); ``paygate local`` is the one command that starts the
embedded runtime, ``localcloud``. The dependency goes one way: this package uses localcloud (the
runtime, and Lambda's record shapes in ``localcloud.mapping_records``), localcloud never imports
this package.
"""
