/*
 * Stop callbacks pushed by unregistered threads (main, and a raw
 * pthread) run at the start of the shutdown that exit() makes: in the
 * thread that calls exit(), newest push first, before the stop requests
 * of the registered threads; a callback popped before never runs, and
 * popping a callback that ran returns ECANCELED.
 *
 * Copyright (c) 2026 The exeunt developers.  MIT licence: see COPYING.
 */
#include "scenario.h"

static exeunt_stop_callback_t cb_main, cb_raw, cb_popped;
static struct sc_flag pushed = SC_FLAG_INIT;
static struct sc_flag may_pop = SC_FLAG_INIT;
static pthread_t main_th, raw_th;
static int raw_pop_rc = -1;

static void
say_callback(void *arg)
{
	say("callback %s, %s\n", (const char *)arg,
	    pthread_equal(pthread_self(), main_th) ? "in main" : "elsewhere");
}

static void *
raw(void *arg)
{
	(void)arg;
	sc_check("push raw", exeunt_stop_callback_push(&cb_raw, say_callback,
	    "raw"));
	flag_set(&pushed);
	exeunt_wait_stop(NULL);
	/* Not at once: woken by the flag, which is set before the
	 * callbacks run, this pop could come first and return 0. */
	flag_wait(&may_pop);
	raw_pop_rc = exeunt_stop_callback_pop(&cb_raw);
	return NULL;
}

static void
hook(void *arg)
{
	(void)arg;
	flag_set(&may_pop);
	pthread_join(raw_th, NULL);
	say("raw pop: %s\n", raw_pop_rc == ECANCELED ? "ECANCELED" :
	    errname(raw_pop_rc));
}

int
main(void)
{
	main_th = pthread_self();
	sc_check("exeunt_atexit", exeunt_atexit(hook, NULL));
	sc_check("push main", exeunt_stop_callback_push(&cb_main,
	    say_callback, "main"));
	sc_check("push popped", exeunt_stop_callback_push(&cb_popped,
	    say_callback, "popped"));
	say("pop: %s\n", errname(exeunt_stop_callback_pop(&cb_popped)));
	if (pthread_create(&raw_th, NULL, raw, NULL) != 0)
		return 100;
	flag_wait(&pushed);
	sc_start(0, terminate_say, "worker", sc_until_stopped, NULL);
	say("main exits\n");
	exit(0);
}
