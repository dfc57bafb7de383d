# hostile.mk - the hostile-upstream test (tests/hostile/): a malformed "Aircall"
# on 127.0.0.1 and every function of the dlopen'ed aircall.so driven against it.

HOSTILE_OBJS := $(BUILD)/tests/hostile/hostile_test.o $(BUILD)/tests/hostile/hostile_server.o
$(HOSTILE_OBJS): PART_CFLAGS := $(call pkgcflags,json-c libmicrohttpd)
$(BUILD)/tests/hostile/hostile_test: $(HOSTILE_OBJS)
	$(CC) -o $@ $(HOSTILE_OBJS) $(call pkglibs,json-c libmicrohttpd) -ldl -lpthread $(LDFLAGS)

ALL += $(BUILD)/tests/hostile/hostile_test
TESTS += tests/hostile/run.sh
TESTS += tests/hostile/depth_test.sh
