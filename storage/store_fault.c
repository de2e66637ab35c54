/* store_fault.c - a backend that forwards to another one and fails on cue.
 *
 * The wrapper has its own connection and iterator structs, each holding the
 * wrapped backend's object: a wrapper connection's inner connection was
 * opened by the inner backend and is only ever passed back to it. Every
 * int-returning operation is a fault point before it forwards; the inner
 * backend's internal steps are fault points through its set_fault_hook.
 * Void operations (rollback, frees, closes) and the infallible getters just
 * forward: faults injected into undo paths would test nothing real.
 */
#include "store_fault.h"

#include <assert.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "sd_util.h"

struct fault_backend {
	struct store_backend base;
	struct store_backend *inner;
	atomic_long target; /* 0: disarmed */
	atomic_long points; /* fault points since the last arm */
	atomic_int fired;
};

struct fault_conn {
	struct store_conn base;
	struct store_conn *inner;
};

struct fault_obj_iter {
	struct store_obj_iter base;
	struct store_obj_iter *inner;
};

struct fault_change_iter {
	struct store_change_iter base;
	struct store_change_iter *inner;
};

static struct fault_backend *fault_of(struct store_backend *be)
{
	return (struct fault_backend *)be;
}

static struct store_conn *inner(struct store_conn *c)
{
	return ((struct fault_conn *)c)->inner;
}

/* Passes one fault point; 1 if it is the armed one. */
static int hit(struct fault_backend *fb)
{
	long n = atomic_fetch_add(&fb->points, 1) + 1;

	if (n != atomic_load(&fb->target))
		return 0;
	atomic_store(&fb->fired, 1);
	return 1;
}

static int hook(void *cls)
{
	return hit(cls);
}

/* A fault point at the entry of an operation on c: 0 or STORE_EIO. */
static int enter(struct store_conn *c, struct sd_err *err)
{
	if (hit(fault_of(c->be)))
		return sd_err_set(err, STORE_EIO, "injected fault");
	return STORE_OK;
}

/* ---- lifecycle and database ---- */

static int f_conn_open(struct store_backend *be, struct store_conn **out, struct sd_err *err)
{
	struct fault_backend *fb = fault_of(be);
	struct store_conn *ic;
	struct fault_conn *c;
	int rc;

	*out = NULL;
	if (hit(fb))
		return sd_err_set(err, STORE_EIO, "injected fault");
	if ((rc = fb->inner->conn_open(fb->inner, &ic, err)))
		return rc;
	c = sd_xcalloc(1, sizeof(*c));
	c->base.be = be;
	c->inner = ic;
	*out = &c->base;
	return STORE_OK;
}

static void f_conn_close(struct store_conn *c)
{
	struct store_conn *ic = inner(c);

	ic->be->conn_close(ic);
	free(c);
}

static void f_free(struct store_backend *be)
{
	struct fault_backend *fb = fault_of(be);

	fb->inner->free(fb->inner);
	free(fb);
}

static const char *f_epoch(struct store_conn *c)
{
	return inner(c)->be->epoch(inner(c));
}

static int f_schema_version(struct store_conn *c)
{
	return inner(c)->be->schema_version(inner(c));
}

static int f_begin(struct store_conn *c, enum store_txn kind, struct sd_err *err)
{
	int rc = enter(c, err);
	return rc ? rc : inner(c)->be->begin(inner(c), kind, err);
}

static int f_commit(struct store_conn *c, struct sd_err *err)
{
	int rc = enter(c, err);
	return rc ? rc : inner(c)->be->commit(inner(c), err);
}

static void f_rollback(struct store_conn *c)
{
	inner(c)->be->rollback(inner(c));
}

/* ---- users ---- */

static int f_user_create(struct store_conn *c, const char *name, const char *displayname,
                         const char *email, const char *pwhash, int64_t *id_out, struct sd_err *err)
{
	int rc = enter(c, err);
	return rc ? rc
	          : inner(c)->be->user_create(inner(c), name, displayname, email, pwhash, id_out,
	                                      err);
}

static int f_user_get(struct store_conn *c, const char *name, struct sd_arena *a,
                      struct store_user *out, struct sd_err *err)
{
	int rc = enter(c, err);
	return rc ? rc : inner(c)->be->user_get(inner(c), name, a, out, err);
}

static int f_user_get_by_id(struct store_conn *c, int64_t id, struct sd_arena *a,
                            struct store_user *out, struct sd_err *err)
{
	int rc = enter(c, err);
	return rc ? rc : inner(c)->be->user_get_by_id(inner(c), id, a, out, err);
}

static int f_user_get_by_email(struct store_conn *c, const char *email, struct sd_arena *a,
                               struct store_user *out, struct sd_err *err)
{
	int rc = enter(c, err);
	return rc ? rc : inner(c)->be->user_get_by_email(inner(c), email, a, out, err);
}

static int f_user_set_password(struct store_conn *c, const char *name, const char *pwhash,
                               struct sd_err *err)
{
	int rc = enter(c, err);
	return rc ? rc : inner(c)->be->user_set_password(inner(c), name, pwhash, err);
}

static int f_user_delete(struct store_conn *c, const char *name, struct sd_err *err)
{
	int rc = enter(c, err);
	return rc ? rc : inner(c)->be->user_delete(inner(c), name, err);
}

static int f_user_foreach(struct store_conn *c, int (*fn)(void *cls, const struct store_user *u),
                          void *cls, struct sd_err *err)
{
	int rc = enter(c, err);
	return rc ? rc : inner(c)->be->user_foreach(inner(c), fn, cls, err);
}

/* ---- collections ---- */

static int f_home_get(struct store_conn *c, int64_t owner_id, struct sd_arena *a,
                      struct store_coll *out, struct sd_err *err)
{
	int rc = enter(c, err);
	return rc ? rc : inner(c)->be->home_get(inner(c), owner_id, a, out, err);
}

static int f_coll_get(struct store_conn *c, int64_t parent_id, const char *name, struct sd_arena *a,
                      struct store_coll *out, struct sd_err *err)
{
	int rc = enter(c, err);
	return rc ? rc : inner(c)->be->coll_get(inner(c), parent_id, name, a, out, err);
}

static int f_coll_get_by_id(struct store_conn *c, int64_t id, struct sd_arena *a,
                            struct store_coll *out, struct sd_err *err)
{
	int rc = enter(c, err);
	return rc ? rc : inner(c)->be->coll_get_by_id(inner(c), id, a, out, err);
}

static int f_coll_create(struct store_conn *c, const struct store_coll *in, int64_t *id_out,
                         struct sd_err *err)
{
	int rc = enter(c, err);
	return rc ? rc : inner(c)->be->coll_create(inner(c), in, id_out, err);
}

static int f_coll_update(struct store_conn *c, const struct store_coll *in, struct sd_err *err)
{
	int rc = enter(c, err);
	return rc ? rc : inner(c)->be->coll_update(inner(c), in, err);
}

static int f_coll_delete(struct store_conn *c, int64_t id, struct sd_err *err)
{
	int rc = enter(c, err);
	return rc ? rc : inner(c)->be->coll_delete(inner(c), id, err);
}

static int f_coll_move(struct store_conn *c, int64_t id, int64_t new_parent_id,
                       const char *new_name, struct sd_err *err)
{
	int rc = enter(c, err);
	return rc ? rc : inner(c)->be->coll_move(inner(c), id, new_parent_id, new_name, err);
}

static int f_coll_foreach(struct store_conn *c, int64_t parent_id,
                          int (*fn)(void *cls, const struct store_coll *coll), void *cls,
                          struct sd_err *err)
{
	int rc = enter(c, err);
	return rc ? rc : inner(c)->be->coll_foreach(inner(c), parent_id, fn, cls, err);
}

/* ---- resources ---- */

static int f_obj_get(struct store_conn *c, int64_t coll_id, const char *name, int with_data,
                     struct sd_arena *a, struct store_obj *out, struct sd_err *err)
{
	int rc = enter(c, err);
	return rc ? rc : inner(c)->be->obj_get(inner(c), coll_id, name, with_data, a, out, err);
}

static int f_obj_put(struct store_conn *c, const struct store_obj *in, struct sd_arena *a,
                     const char **etag_out, int *created_out, struct sd_err *err)
{
	int rc = enter(c, err);
	return rc ? rc : inner(c)->be->obj_put(inner(c), in, a, etag_out, created_out, err);
}

static int f_obj_delete(struct store_conn *c, int64_t coll_id, const char *name, struct sd_err *err)
{
	int rc = enter(c, err);
	return rc ? rc : inner(c)->be->obj_delete(inner(c), coll_id, name, err);
}

static int f_obj_move(struct store_conn *c, int64_t src_coll_id, const char *src_name,
                      int64_t dst_coll_id, const char *dst_name, struct sd_err *err)
{
	int rc = enter(c, err);
	return rc ? rc
	          : inner(c)->be->obj_move(inner(c), src_coll_id, src_name, dst_coll_id, dst_name,
	                                   err);
}

static int f_obj_find_uid(struct store_conn *c, int64_t coll_id, const char *uid,
                          const char *except_name, struct sd_arena *a, const char **name_out,
                          struct sd_err *err)
{
	int rc = enter(c, err);
	return rc ? rc
	          : inner(c)->be->obj_find_uid(inner(c), coll_id, uid, except_name, a, name_out,
	                                       err);
}

static struct store_obj_iter *obj_iter_wrap(struct store_conn *c, struct store_obj_iter *ii)
{
	struct fault_obj_iter *it = sd_xcalloc(1, sizeof(*it));

	it->base.be = c->be;
	it->inner = ii;
	return &it->base;
}

static int f_obj_iter_new(struct store_conn *c, int64_t coll_id, int with_data,
                          struct store_obj_iter **out, struct sd_err *err)
{
	struct store_obj_iter *ii;
	int rc;

	*out = NULL;
	if ((rc = enter(c, err)) ||
	    (rc = inner(c)->be->obj_iter_new(inner(c), coll_id, with_data, &ii, err)))
		return rc;
	*out = obj_iter_wrap(c, ii);
	return STORE_OK;
}

static int f_obj_iter_new_range(struct store_conn *c, int64_t coll_id, unsigned comp_mask,
                                int64_t start, int64_t end, int with_data,
                                struct store_obj_iter **out, struct sd_err *err)
{
	struct store_obj_iter *ii;
	int rc;

	*out = NULL;
	if ((rc = enter(c, err)) ||
	    (rc = inner(c)->be->obj_iter_new_range(inner(c), coll_id, comp_mask, start, end,
	                                           with_data, &ii, err)))
		return rc;
	*out = obj_iter_wrap(c, ii);
	return STORE_OK;
}

static int f_obj_iter_next(struct store_obj_iter *it, struct store_obj *out, struct sd_err *err)
{
	struct store_obj_iter *ii = ((struct fault_obj_iter *)it)->inner;

	if (hit(fault_of(it->be)))
		return sd_err_set(err, STORE_EIO, "injected fault");
	return ii->be->obj_iter_next(ii, out, err);
}

static void f_obj_iter_free(struct store_obj_iter *it)
{
	struct store_obj_iter *ii = ((struct fault_obj_iter *)it)->inner;

	ii->be->obj_iter_free(ii);
	free(it);
}

static int f_obj_count(struct store_conn *c, int64_t coll_id, int64_t *count_out,
                       struct sd_err *err)
{
	int rc = enter(c, err);
	return rc ? rc : inner(c)->be->obj_count(inner(c), coll_id, count_out, err);
}

/* ---- change log ---- */

static int f_change_iter_new(struct store_conn *c, int64_t coll_id, int64_t since,
                             struct store_change_iter **out, struct sd_err *err)
{
	struct store_change_iter *ii;
	struct fault_change_iter *it;
	int rc;

	*out = NULL;
	if ((rc = enter(c, err)) ||
	    (rc = inner(c)->be->change_iter_new(inner(c), coll_id, since, &ii, err)))
		return rc;
	it = sd_xcalloc(1, sizeof(*it));
	it->base.be = c->be;
	it->inner = ii;
	*out = &it->base;
	return STORE_OK;
}

static int f_change_iter_next(struct store_change_iter *it, struct store_change *out,
                              struct sd_err *err)
{
	struct store_change_iter *ii = ((struct fault_change_iter *)it)->inner;

	if (hit(fault_of(it->be)))
		return sd_err_set(err, STORE_EIO, "injected fault");
	return ii->be->change_iter_next(ii, out, err);
}

static void f_change_iter_free(struct store_change_iter *it)
{
	struct store_change_iter *ii = ((struct fault_change_iter *)it)->inner;

	ii->be->change_iter_free(ii);
	free(it);
}

/* ---- dead properties ---- */

static int f_prop_set(struct store_conn *c, int64_t coll_id, const char *obj_name,
                      const struct store_prop *p, struct sd_err *err)
{
	int rc = enter(c, err);
	return rc ? rc : inner(c)->be->prop_set(inner(c), coll_id, obj_name, p, err);
}

static int f_prop_remove(struct store_conn *c, int64_t coll_id, const char *obj_name,
                         const char *ns, const char *name, struct sd_err *err)
{
	int rc = enter(c, err);
	return rc ? rc : inner(c)->be->prop_remove(inner(c), coll_id, obj_name, ns, name, err);
}

static int f_prop_get(struct store_conn *c, int64_t coll_id, const char *obj_name, const char *ns,
                      const char *name, struct sd_arena *a, struct store_prop *out,
                      struct sd_err *err)
{
	int rc = enter(c, err);
	return rc ? rc : inner(c)->be->prop_get(inner(c), coll_id, obj_name, ns, name, a, out, err);
}

static int f_prop_foreach(struct store_conn *c, int64_t coll_id, const char *obj_name,
                          int (*fn)(void *cls, const struct store_prop *p), void *cls,
                          struct sd_err *err)
{
	int rc = enter(c, err);
	return rc ? rc : inner(c)->be->prop_foreach(inner(c), coll_id, obj_name, fn, cls, err);
}

/* ---- the booking side: generated, one wrapper per STORE_BK_OPS entry ---- */

#define F_BK_WRAP(name, params, args)                                                 \
	static int f_##name(struct store_conn *c, STORE_BK_UNPAREN params)            \
	{                                                                             \
		int rc = enter(c, err);                                               \
		return rc ? rc : inner(c)->be->name(inner(c), STORE_BK_UNPAREN args); \
	}
STORE_BK_OPS(F_BK_WRAP)
#undef F_BK_WRAP

/* Faults nest: a wrapper around a wrapper hooks the innermost backend. */
static void f_set_fault_hook(struct store_backend *be, int (*fn)(void *cls), void *cls)
{
	struct store_backend *in = fault_of(be)->inner;

	if (in->set_fault_hook)
		in->set_fault_hook(in, fn, cls);
}

static const struct store_backend fault_ops = { .version = STORE_BACKEND_VERSION,
	                                        .conn_open = f_conn_open,
	                                        .conn_close = f_conn_close,
	                                        .free = f_free,
	                                        .set_fault_hook = f_set_fault_hook,
	                                        .epoch = f_epoch,
	                                        .schema_version = f_schema_version,
	                                        .begin = f_begin,
	                                        .commit = f_commit,
	                                        .rollback = f_rollback,
	                                        .user_create = f_user_create,
	                                        .user_get = f_user_get,
	                                        .user_get_by_id = f_user_get_by_id,
	                                        .user_get_by_email = f_user_get_by_email,
	                                        .user_set_password = f_user_set_password,
	                                        .user_delete = f_user_delete,
	                                        .user_foreach = f_user_foreach,
	                                        .home_get = f_home_get,
	                                        .coll_get = f_coll_get,
	                                        .coll_get_by_id = f_coll_get_by_id,
	                                        .coll_create = f_coll_create,
	                                        .coll_update = f_coll_update,
	                                        .coll_delete = f_coll_delete,
	                                        .coll_move = f_coll_move,
	                                        .coll_foreach = f_coll_foreach,
	                                        .obj_get = f_obj_get,
	                                        .obj_put = f_obj_put,
	                                        .obj_delete = f_obj_delete,
	                                        .obj_move = f_obj_move,
	                                        .obj_find_uid = f_obj_find_uid,
	                                        .obj_iter_new = f_obj_iter_new,
	                                        .obj_iter_new_range = f_obj_iter_new_range,
	                                        .obj_iter_next = f_obj_iter_next,
	                                        .obj_iter_free = f_obj_iter_free,
	                                        .obj_count = f_obj_count,
	                                        .change_iter_new = f_change_iter_new,
	                                        .change_iter_next = f_change_iter_next,
	                                        .change_iter_free = f_change_iter_free,
	                                        .prop_set = f_prop_set,
	                                        .prop_remove = f_prop_remove,
	                                        .prop_get = f_prop_get,
	                                        .prop_foreach = f_prop_foreach,
#define F_BK_ENTRY(name, params, args) .name = f_##name,
	                                        STORE_BK_OPS(F_BK_ENTRY)
#undef F_BK_ENTRY
};

struct store_backend *store_fault_backend_new(struct store_backend *in)
{
	struct fault_backend *fb = sd_xcalloc(1, sizeof(*fb));

	fb->base = fault_ops;
	fb->inner = in;
	atomic_init(&fb->target, 0);
	atomic_init(&fb->points, 0);
	atomic_init(&fb->fired, 0);
	if (in->set_fault_hook)
		in->set_fault_hook(in, hook, fb);
	return &fb->base;
}

void store_fault_arm(struct store_backend *be, long n)
{
	struct fault_backend *fb = fault_of(be);

	assert(be->free == f_free && "not a fault backend");
	atomic_store(&fb->target, 0);
	atomic_store(&fb->points, 0);
	atomic_store(&fb->fired, 0);
	atomic_store(&fb->target, n);
}

long store_fault_points(struct store_backend *be)
{
	assert(be->free == f_free && "not a fault backend");
	return atomic_load(&fault_of(be)->points);
}

int store_fault_fired(struct store_backend *be)
{
	assert(be->free == f_free && "not a fault backend");
	return atomic_load(&fault_of(be)->fired);
}
