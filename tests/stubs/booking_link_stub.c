/* booking_link_stub.c - a stand-in for booking/booking_link.c until the
 * real signed manage links land: it lets the notification worker, its
 * tests and the binary link. It makes tokens of the documented shape
 * (id.purpose.expiry.HMAC-SHA256, URL-safe) but is not the real format;
 * booking_link_check is not provided. CMake adds this file only while
 * booking/booking_link.c does not exist, so it drops out by itself. */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <string.h>

#include "booking_link.h"

char *booking_link_make(struct sd_arena *a, const struct booking_secrets *s, int64_t booking_id,
			const char *purpose, int64_t expires)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	char body[128], out[2 * EVP_MAX_MD_SIZE + 1];

	if (!s || !s->current || !*s->current || !purpose || !*purpose || strlen(purpose) > 32)
		return NULL;
	snprintf(body, sizeof(body), "%lld.%s.%lld", (long long)booking_id, purpose,
		 (long long)expires);
	HMAC(EVP_sha256(), s->current, (int)strlen(s->current), (const unsigned char *)body,
	     strlen(body), mac, &maclen);
	for (unsigned i = 0; i < maclen; i++) {
		out[2 * i] = hex[mac[i] >> 4];
		out[2 * i + 1] = hex[mac[i] & 15];
	}
	out[2 * maclen] = '\0';
	return sd_arena_printf(a, "%s.%s", body, out);
}
