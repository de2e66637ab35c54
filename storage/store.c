/* store.c - the storage front: the connection pool and dispatch to the backend.
 *
 * Every public function of store.h except the pool ones, and every one of
 * store_bk.h, is a one-line call through the backend's function table
 * (store_backend.h); callers never learn which backend runs. The store_bk.h
 * ones are generated from STORE_BK_OPS. What this file owns is the pool:
 *
 *	acquire:  idle list non-empty  -> pop (LIFO: the warmest statement cache)
 *	          nopen < pool_size    -> reserve a slot, open outside the lock
 *	          otherwise            -> wait on cond
 *	release:  roll back, push on the idle list, signal one waiter
 *
 * Invariants, under st->lock:
 *   - nopen <= pool_size, and nopen counts connections in use, on the idle
 *     list, and being opened (a reserved slot);
 *   - a connection on the idle list has no open transaction and no open
 *     iterator (release rolls back; iterators are counted per connection).
 * Opening a connection is file I/O, so it happens without the lock; a failed
 * open gives its slot back and wakes a waiter that may try again.
 */
#include "store.h"
#include "store_bk.h"

#include <assert.h>
#include <pthread.h>
#include <stdlib.h>

#include "sd_util.h"
#include "store_backend.h"

struct store {
	struct store_backend *be;
	pthread_mutex_t lock;
	pthread_cond_t cond; /* signalled when a connection or a slot frees up */
	int pool_size;
	int nopen;
	struct store_conn *idle;
};

/* ---- database ---------------------------------------------------------- */

int store_open(struct store **out, const char *path, int pool_size, struct sd_err *err)
{
	struct store_backend *be;
	int rc;

	*out = NULL;
	rc = store_sqlite_backend_new(&be, path, STORE_SQLITE_BUSY_MS, err);
	if (rc)
		return rc;
	return store_open_backend(out, be, pool_size, err);
}

int store_open_backend(struct store **out, struct store_backend *be, int pool_size,
                       struct sd_err *err)
{
	struct store *st;

	*out = NULL;
	if (be->version != STORE_BACKEND_VERSION) {
		be->free(be);
		return sd_err_set(err, STORE_EIO, "storage backend version %u, expected %u",
		                  be->version, STORE_BACKEND_VERSION);
	}
	if (pool_size < 1) {
		be->free(be);
		return sd_err_set(err, STORE_EIO, "pool size %d, must be at least 1", pool_size);
	}
	st = sd_xcalloc(1, sizeof(*st));
	st->be = be;
	st->pool_size = pool_size;
	pthread_mutex_init(&st->lock, NULL);
	pthread_cond_init(&st->cond, NULL);
	*out = st;
	return STORE_OK;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	while (st->idle) {
		struct store_conn *c = st->idle;
		st->idle = c->next_idle;
		st->nopen--;
		st->be->conn_close(c);
	}
	assert(st->nopen == 0 && "store_close with connections still acquired");
	st->be->free(st->be);
	pthread_cond_destroy(&st->cond);
	pthread_mutex_destroy(&st->lock);
	free(st);
}

int store_conn_acquire(struct store *st, struct store_conn **out, struct sd_err *err)
{
	struct store_conn *c;
	int rc = STORE_OK;

	*out = NULL;
	pthread_mutex_lock(&st->lock);
	while (!st->idle && st->nopen >= st->pool_size)
		pthread_cond_wait(&st->cond, &st->lock);
	c = st->idle;
	if (c)
		st->idle = c->next_idle;
	else
		st->nopen++; /* reserve a slot, then open without the lock */
	pthread_mutex_unlock(&st->lock);

	if (!c) {
		rc = st->be->conn_open(st->be, &c, err);
		if (rc) {
			pthread_mutex_lock(&st->lock);
			st->nopen--;
			pthread_cond_signal(&st->cond);
			pthread_mutex_unlock(&st->lock);
			goto out;
		}
		c->st = st;
		c->iters = 0;
	}
	c->next_idle = NULL;
	*out = c;
out:
	return rc;
}

void store_conn_release(struct store_conn *c)
{
	struct store *st;

	if (!c)
		return;
	assert(c->iters == 0 && "connection released with an open iterator");
	st = c->st;
	c->be->rollback(c);
	pthread_mutex_lock(&st->lock);
	c->next_idle = st->idle;
	st->idle = c;
	pthread_cond_signal(&st->cond);
	pthread_mutex_unlock(&st->lock);
}

const char *store_epoch(struct store_conn *c)
{
	return c->be->epoch(c);
}

int store_schema_version(struct store_conn *c)
{
	return c->be->schema_version(c);
}

int store_begin(struct store_conn *c, enum store_txn kind, struct sd_err *err)
{
	return c->be->begin(c, kind, err);
}

int store_commit(struct store_conn *c, struct sd_err *err)
{
	return c->be->commit(c, err);
}

void store_rollback(struct store_conn *c)
{
	c->be->rollback(c);
}

/* ---- users ------------------------------------------------------------- */

int store_user_create(struct store_conn *c, const char *name, const char *displayname,
                      const char *email, const char *pwhash, int64_t *id_out, struct sd_err *err)
{
	return c->be->user_create(c, name, displayname, email, pwhash, id_out, err);
}

int store_user_get(struct store_conn *c, const char *name, struct sd_arena *a,
                   struct store_user *out, struct sd_err *err)
{
	return c->be->user_get(c, name, a, out, err);
}

int store_user_get_by_id(struct store_conn *c, int64_t id, struct sd_arena *a,
                         struct store_user *out, struct sd_err *err)
{
	return c->be->user_get_by_id(c, id, a, out, err);
}

int store_user_get_by_email(struct store_conn *c, const char *email, struct sd_arena *a,
                            struct store_user *out, struct sd_err *err)
{
	return c->be->user_get_by_email(c, email, a, out, err);
}

int store_user_set_password(struct store_conn *c, const char *name, const char *pwhash,
                            struct sd_err *err)
{
	return c->be->user_set_password(c, name, pwhash, err);
}

int store_user_delete(struct store_conn *c, const char *name, struct sd_err *err)
{
	return c->be->user_delete(c, name, err);
}

int store_user_foreach(struct store_conn *c, int (*fn)(void *cls, const struct store_user *u),
                       void *cls, struct sd_err *err)
{
	return c->be->user_foreach(c, fn, cls, err);
}

/* ---- collections ------------------------------------------------------- */

int store_home_get(struct store_conn *c, int64_t owner_id, struct sd_arena *a,
                   struct store_coll *out, struct sd_err *err)
{
	return c->be->home_get(c, owner_id, a, out, err);
}

int store_coll_get(struct store_conn *c, int64_t parent_id, const char *name, struct sd_arena *a,
                   struct store_coll *out, struct sd_err *err)
{
	return c->be->coll_get(c, parent_id, name, a, out, err);
}

int store_coll_get_by_id(struct store_conn *c, int64_t id, struct sd_arena *a,
                         struct store_coll *out, struct sd_err *err)
{
	return c->be->coll_get_by_id(c, id, a, out, err);
}

int store_coll_create(struct store_conn *c, const struct store_coll *in, int64_t *id_out,
                      struct sd_err *err)
{
	return c->be->coll_create(c, in, id_out, err);
}

int store_coll_update(struct store_conn *c, const struct store_coll *in, struct sd_err *err)
{
	return c->be->coll_update(c, in, err);
}

int store_coll_delete(struct store_conn *c, int64_t id, struct sd_err *err)
{
	return c->be->coll_delete(c, id, err);
}

int store_coll_move(struct store_conn *c, int64_t id, int64_t new_parent_id, const char *new_name,
                    struct sd_err *err)
{
	return c->be->coll_move(c, id, new_parent_id, new_name, err);
}

int store_coll_foreach(struct store_conn *c, int64_t parent_id,
                       int (*fn)(void *cls, const struct store_coll *coll), void *cls,
                       struct sd_err *err)
{
	return c->be->coll_foreach(c, parent_id, fn, cls, err);
}

/* ---- resources --------------------------------------------------------- */

int store_obj_get(struct store_conn *c, int64_t coll_id, const char *name, int with_data,
                  struct sd_arena *a, struct store_obj *out, struct sd_err *err)
{
	return c->be->obj_get(c, coll_id, name, with_data, a, out, err);
}

int store_obj_put(struct store_conn *c, const struct store_obj *in, struct sd_arena *a,
                  const char **etag_out, int *created_out, struct sd_err *err)
{
	return c->be->obj_put(c, in, a, etag_out, created_out, err);
}

int store_obj_delete(struct store_conn *c, int64_t coll_id, const char *name, struct sd_err *err)
{
	return c->be->obj_delete(c, coll_id, name, err);
}

int store_obj_move(struct store_conn *c, int64_t src_coll_id, const char *src_name,
                   int64_t dst_coll_id, const char *dst_name, struct sd_err *err)
{
	return c->be->obj_move(c, src_coll_id, src_name, dst_coll_id, dst_name, err);
}

int store_obj_find_uid(struct store_conn *c, int64_t coll_id, const char *uid,
                       const char *except_name, struct sd_arena *a, const char **name_out,
                       struct sd_err *err)
{
	return c->be->obj_find_uid(c, coll_id, uid, except_name, a, name_out, err);
}

int store_obj_iter_new(struct store_conn *c, int64_t coll_id, int with_data,
                       struct store_obj_iter **out, struct sd_err *err)
{
	int rc = c->be->obj_iter_new(c, coll_id, with_data, out, err);

	if (rc == STORE_OK) {
		(*out)->conn = c;
		c->iters++;
	}
	return rc;
}

int store_obj_iter_new_range(struct store_conn *c, int64_t coll_id, unsigned comp_mask,
                             int64_t start, int64_t end, int with_data, struct store_obj_iter **out,
                             struct sd_err *err)
{
	int rc = c->be->obj_iter_new_range(c, coll_id, comp_mask, start, end, with_data, out, err);

	if (rc == STORE_OK) {
		(*out)->conn = c;
		c->iters++;
	}
	return rc;
}

int store_obj_iter_next(struct store_obj_iter *it, struct store_obj *out, struct sd_err *err)
{
	return it->be->obj_iter_next(it, out, err);
}

void store_obj_iter_free(struct store_obj_iter *it)
{
	struct store_conn *c;

	if (!it)
		return;
	c = it->conn;
	it->be->obj_iter_free(it);
	c->iters--;
}

int store_obj_count(struct store_conn *c, int64_t coll_id, int64_t *count_out, struct sd_err *err)
{
	return c->be->obj_count(c, coll_id, count_out, err);
}

/* ---- change log -------------------------------------------------------- */

int store_change_iter_new(struct store_conn *c, int64_t coll_id, int64_t since,
                          struct store_change_iter **out, struct sd_err *err)
{
	int rc = c->be->change_iter_new(c, coll_id, since, out, err);

	if (rc == STORE_OK) {
		(*out)->conn = c;
		c->iters++;
	}
	return rc;
}

int store_change_iter_next(struct store_change_iter *it, struct store_change *out,
                           struct sd_err *err)
{
	return it->be->change_iter_next(it, out, err);
}

void store_change_iter_free(struct store_change_iter *it)
{
	struct store_conn *c;

	if (!it)
		return;
	c = it->conn;
	it->be->change_iter_free(it);
	c->iters--;
}

/* ---- dead properties --------------------------------------------------- */

int store_prop_set(struct store_conn *c, int64_t coll_id, const char *obj_name,
                   const struct store_prop *p, struct sd_err *err)
{
	return c->be->prop_set(c, coll_id, obj_name, p, err);
}

int store_prop_remove(struct store_conn *c, int64_t coll_id, const char *obj_name, const char *ns,
                      const char *name, struct sd_err *err)
{
	return c->be->prop_remove(c, coll_id, obj_name, ns, name, err);
}

int store_prop_get(struct store_conn *c, int64_t coll_id, const char *obj_name, const char *ns,
                   const char *name, struct sd_arena *a, struct store_prop *out, struct sd_err *err)
{
	return c->be->prop_get(c, coll_id, obj_name, ns, name, a, out, err);
}

int store_prop_foreach(struct store_conn *c, int64_t coll_id, const char *obj_name,
                       int (*fn)(void *cls, const struct store_prop *p), void *cls,
                       struct sd_err *err)
{
	return c->be->prop_foreach(c, coll_id, obj_name, fn, cls, err);
}

/* ---- the booking side (store_bk.h) ------------------------------------ */

#define STORE_BK_DISPATCH(name, params, args)                           \
	int store_##name(struct store_conn *c, STORE_BK_UNPAREN params) \
	{                                                               \
		return c->be->name(c, STORE_BK_UNPAREN args);           \
	}
STORE_BK_OPS(STORE_BK_DISPATCH)
#undef STORE_BK_DISPATCH
