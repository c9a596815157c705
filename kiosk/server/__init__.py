"""The branch server: desk consoles call numbers, waiting-room displays show and announce them."""
