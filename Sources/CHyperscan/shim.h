#ifndef CHYPERSCAN_SHIM_H
#define CHYPERSCAN_SHIM_H

#include <hs/hs.h>

#endif
