from temoin.cli.main import main

main()
