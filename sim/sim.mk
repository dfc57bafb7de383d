# sim.mk - rules for sim/ (included by the top Makefile).
