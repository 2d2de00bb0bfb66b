from kirkpatrick.cli import main

main(prog_name="kirkpatrick")
