from hemis.cli.app import main

main()
