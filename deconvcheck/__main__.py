from deconvcheck.cli import run

run()
