/* extcal_poll.c - recording fetches, the API's refresh and the poller thread.
 *
 * A round of the poller (extcal_poll):
 *   1. due      with a connection: the calendars whose next_poll has come
 *               (a batch), copied into the round's arena; released.
 *   2. fetch    with no connection: extcal_fetch, bounded in size and time.
 *   3. record   with a connection: store_extcal_record, one bracket per
 *               calendar; released.
 * So a slow or hostile feed costs the poller's own time and nothing else:
 * request threads never wait on it, and the pool never lends it a
 * connection for longer than one record. A calendar deleted while it was
 * being fetched is simply not recorded (ENOTFOUND).
 *
 * One poller per process. Two fetches of one calendar at once (a refresh
 * while the poller has it) are harmless: each records a complete outcome,
 * and the last one stands.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <curl/curl.h>

#include "extcal.h"
#include "sd_log.h"
#include "sd_util.h"

#define BATCH     16 /* calendars per round */
#define ROUND_MAX 5  /* seconds between rounds, at most */

int extcal_record(struct store_conn *c, const struct extcal_opts *o, const struct store_extcal *e,
                  const struct extcal_result *r, int64_t now, struct sd_err *err)
{
	struct store_extcal v = *e;
	int64_t every = o->poll_seconds > 0 ? o->poll_seconds : 1;

	v.last_fetch = now;
	v.next_poll = now + every;
	if (r->status < 0) {
		/* The validators stay: they describe the data that stays. */
		v.last_error = r->error && *r->error ? r->error : "the fetch failed";
		return store_extcal_record(c, &v, 0, NULL, 0, err);
	}
	v.last_error = "";
	v.last_success = now;
	v.etag = r->etag ? r->etag : "";
	v.last_modified = r->last_modified ? r->last_modified : "";
	return store_extcal_record(c, &v, r->status == 0, r->busy, r->nbusy, err);
}

int extcal_refresh(struct store_conn *c, const struct extcal_opts *o, int64_t id,
                   struct sd_err *err)
{
	struct sd_arena *a = sd_arena_new();
	struct extcal_result r;
	struct store_extcal e;
	int64_t now = sd_now();
	int rc;

	if ((rc = store_extcal_get(c, id, a, &e, err)))
		goto out;
	extcal_fetch(o, &e, now, a, &r);
	rc = extcal_record(c, o, &e, &r, now, err);
out:
	sd_arena_free(a);
	return rc;
}

int extcal_poll(struct store *st, const struct extcal_opts *o, int64_t now, int *handled,
                struct sd_err *err)
{
	struct sd_arena *a = sd_arena_new();
	struct store_extcal *v = NULL;
	struct store_conn *c = NULL;
	size_t n = 0;
	int count = 0, rc;

	if ((rc = store_conn_acquire(st, &c, err)))
		goto out;
	rc = store_extcal_due(c, now, BATCH, a, &v, &n, err);
	store_conn_release(c);
	c = NULL;
	for (size_t i = 0; i < n && !rc; i++) {
		struct extcal_result r;
		struct sd_err e = { 0 };
		int64_t t = sd_now();

		if (o->stop && __atomic_load_n(o->stop, __ATOMIC_RELAXED))
			break;
		extcal_fetch(o, &v[i], t, a, &r);
		count++;
		if (r.status < 0)
			SD_WARN("extcal_fetch", "id=%lld error=\"%s\"", (long long)v[i].id,
			        r.error);
		if (store_conn_acquire(st, &c, &e) == 0) {
			if (extcal_record(c, o, &v[i], &r, t, &e) && e.code != STORE_ENOTFOUND)
				SD_WARN("extcal_record", "id=%lld error=\"%s\"", (long long)v[i].id,
				        e.msg);
			store_conn_release(c);
			c = NULL;
		} else {
			SD_WARN("extcal_record", "id=%lld error=\"%s\"", (long long)v[i].id, e.msg);
		}
	}
out:
	sd_arena_free(a);
	if (handled)
		*handled = count;
	return rc;
}

/* ---- the thread -------------------------------------------------------- */

struct extcal_poller {
	struct store *st;
	struct extcal_opts o;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop; /* written under mu and atomically: fetches read it */
};

static void *run(void *cls)
{
	struct extcal_poller *p = cls;
	int wait = p->o.poll_seconds < ROUND_MAX ? p->o.poll_seconds : ROUND_MAX;

	if (wait < 1)
		wait = 1;
	pthread_mutex_lock(&p->mu);
	while (!p->stop) {
		struct sd_err e = { 0 };
		struct timespec ts;
		int handled = 0;

		pthread_mutex_unlock(&p->mu);
		if (extcal_poll(p->st, &p->o, sd_now(), &handled, &e))
			SD_WARN("extcal_poll", "error=\"%s\"", e.msg);
		pthread_mutex_lock(&p->mu);
		if (handled == BATCH) /* more may be due: no pause */
			continue;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += wait;
		while (!p->stop && pthread_cond_timedwait(&p->cv, &p->mu, &ts) == 0)
			;
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

int extcal_start(struct extcal_poller **out, struct store *st, const struct extcal_opts *o,
                 struct sd_err *err)
{
	struct extcal_poller *p;

	*out = NULL;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	p = sd_xcalloc(1, sizeof(*p));
	p->st = st;
	p->o = *o;
	p->o.stop = &p->stop;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	if (pthread_create(&p->thread, NULL, run, p)) {
		pthread_cond_destroy(&p->cv);
		pthread_mutex_destroy(&p->mu);
		free(p);
		curl_global_cleanup();
		return sd_err_set(err, EXTCAL_EFETCH, "cannot start the external calendar poller");
	}
	SD_INFO("extcal_started", "poll_seconds=%d max_bytes=%zu timeout=%d", o->poll_seconds,
	        o->max_bytes, o->timeout_seconds);
	*out = p;
	return 0;
}

void extcal_stop(struct extcal_poller *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	__atomic_store_n(&p->stop, 1, __ATOMIC_RELAXED);
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
	pthread_join(p->thread, NULL);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	free(p);
	curl_global_cleanup();
}
