// MPI, from Debian's OpenMPI (libopenmpi-dev), whose headers Debian links into the compiler's multiarch include
// folder as mpi/ (/usr/include/x86_64-linux-gnu/mpi, an alternative of the MPI installed).
//
// MPI's handles (the world communicator, the datatypes, the sum) are macros in OpenMPI, which Swift cannot
// import: these functions hand them over.
#include <mpi/mpi.h>

static inline MPI_Comm tapegrad_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype tapegrad_mpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype tapegrad_mpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Datatype tapegrad_mpi_byte(void) { return MPI_BYTE; }
static inline MPI_Datatype tapegrad_mpi_int(void) { return MPI_INT; }
static inline MPI_Op tapegrad_mpi_sum(void) { return MPI_SUM; }
static inline MPI_Status *tapegrad_mpi_status_ignore(void) { return MPI_STATUS_IGNORE; }
static inline int tapegrad_mpi_thread_funneled(void) { return MPI_THREAD_FUNNELED; }
