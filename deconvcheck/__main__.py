from deconvcheck.cli.main import main

main()
