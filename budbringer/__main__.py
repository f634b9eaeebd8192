from budbringer.cli import main

main()
