"""The command line: parses arguments, calls the core, picks a reporter. Nothing else lives here."""


def run() -> None:
    """The console script and `python -m deconvcheck`: the cyclic garbage collector off before
    anything is imported (see `cli.main.main`: a short run makes no cycles worth collecting, and
    its collections during the imports alone took 2 ms of every start), then `cli.main.run`."""
    import gc  # noqa: PLC0415 - nothing is imported before the collector is off

    gc.disable()
    from deconvcheck.cli.main import run as run_command  # noqa: PLC0415

    run_command()
