"""The Laporan Kinerja Instansi Pemerintah (LKjIP)."""
