from bbmcheck.cli.main import main

main()
