-- AlterTable
ALTER TABLE "Customer" ADD COLUMN     "averageOrderValueMinor" INTEGER NOT NULL DEFAULT 0;
