from deconvcheck.cli.main import run

run()
