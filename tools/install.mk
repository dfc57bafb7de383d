# install.mk - make install / make uninstall (included by the top Makefile).
# Installs only what users run and build against, so it needs neither cmocka nor, for
# the plugin and the two commands, libmicrohttpd: aircall-sim (a user program too, for
# trying the plugin without an Aircall account) is installed when libmicrohttpd is
# there, and skipped with a message when not. The binaries find their plugin folder
# relative to themselves, so PREFIX is not compiled in: a DESTDIR install, a moved
# tree and a package all work. uninstall removes exactly the files install writes.

.PHONY: install uninstall
INST := $(DESTDIR)$(PREFIX)
INST_SIM := $(shell pkg-config --exists libmicrohttpd 2>/dev/null && echo yes)
INST_BINS := kkp-host kkp-setup $(if $(INST_SIM),aircall-sim)
INST_PLUGIN := aircall.so aircall.json aircall.md
INST_MANS := kkp-host.1 kkp-setup.1 $(if $(INST_SIM),aircall-sim.1)
INST_COMPLETIONS := kkp-host kkp-setup
# Every file install writes, relative to PREFIX (uninstall's list).
INST_FILES := $(INST_BINS:%=bin/%) $(INST_PLUGIN:%=lib/kkp/plugins/%) include/kkp/plugin.h \
              lib/pkgconfig/kkp.pc $(INST_MANS:%=share/man/man1/%) \
              $(INST_COMPLETIONS:%=share/bash-completion/completions/%)

install: $(BUILD)/aircall.so $(BUILD)/kkp-host $(BUILD)/kkp-setup $(if $(INST_SIM),$(BUILD)/aircall-sim)
	@$(if $(INST_SIM),,echo "install: libmicrohttpd not found: skipping aircall-sim (the simulator);" \
	  "install libmicrohttpd's development files to get it")
	install -d $(INST)/lib/kkp/plugins $(INST)/bin $(INST)/include/kkp $(INST)/lib/pkgconfig \
	        $(INST)/share/man/man1 $(INST)/share/bash-completion/completions
	install -m 0755 $(BUILD)/aircall.so $(INST)/lib/kkp/plugins/aircall.so
	install -m 0644 manifest/aircall.json manifest/aircall.md $(INST)/lib/kkp/plugins/
	install -m 0755 $(INST_BINS:%=$(BUILD)/%) $(INST)/bin/
	install -m 0644 plugin.h $(INST)/include/kkp/plugin.h
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' tools/kkp.pc.in > $(INST)/lib/pkgconfig/kkp.pc
	install -m 0644 $(INST_MANS:%=doc/man/%) $(INST)/share/man/man1/
	install -m 0644 $(INST_COMPLETIONS:%=tools/completion/%) $(INST)/share/bash-completion/completions/

# The folders that are ours alone go too when empty; shared ones (bin, man1...) stay.
uninstall:
	rm -f $(INST_FILES:%=$(INST)/%) $(INST)/bin/aircall-sim $(INST)/share/man/man1/aircall-sim.1
	-rmdir $(INST)/lib/kkp/plugins $(INST)/lib/kkp $(INST)/include/kkp 2>/dev/null
